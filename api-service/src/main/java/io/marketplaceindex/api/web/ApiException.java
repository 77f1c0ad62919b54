package io.marketplaceindex.api.web;

import org.springframework.http.HttpStatus;

import java.time.Duration;

/** An error whose message is meant for the client, with the status that goes with it. */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final Duration retryAfter;

    public ApiException(HttpStatus status, String message) {
        this(status, message, null);
    }

    /** @param retryAfter sent as {@code Retry-After} (whole seconds), or null */
    public ApiException(HttpStatus status, String message, Duration retryAfter) {
        super(message);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public HttpStatus status() {
        return status;
    }

    /** @return when to try again, or null */
    public Duration retryAfter() {
        return retryAfter;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(HttpStatus.NOT_FOUND, message);
    }
}
