package io.marketplaceindex.registry;

import io.marketplaceindex.registry.RegistryFetchException.Kind;
import org.apache.hc.client5.http.ConnectTimeoutException;
import tools.jackson.core.JacksonException;

import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * How the client's failures are worded and classified: every message names the URL only in its
 * safe-to-show form, and every failure maps to one meter outcome.
 */
final class FetchFailures {

    private FetchFailures() {
    }

    static RegistryFetchException translate(Exception e, Deadline deadline, URI uri) {
        String url = uri == null ? null : uri.toString();
        if (deadline.passed()) {
            return deadlineExceeded(uri, e);
        }
        SsrfGuard.RefusedAddressException refused = causeOfType(e, SsrfGuard.RefusedAddressException.class);
        if (refused != null) {
            return new RegistryFetchException(Kind.REFUSED_ADDRESS, refused.getMessage(), url, null, e);
        }
        if (e instanceof ConnectTimeoutException) {
            return new RegistryFetchException(Kind.TIMEOUT, "connect timed out: " + shortUrl(uri), url, null, e);
        }
        if (e instanceof SocketTimeoutException) {
            return new RegistryFetchException(Kind.TIMEOUT, "read timed out: " + shortUrl(uri), url, null, e);
        }
        if (e instanceof UnknownHostException) {
            return new RegistryFetchException(Kind.IO, "unknown host: " + shortUrl(uri), url, null, e);
        }
        return new RegistryFetchException(Kind.IO, e.getClass().getSimpleName() + " from " + shortUrl(uri)
                + (e.getMessage() == null ? "" : ": " + e.getMessage()), url, null, e);
    }

    static RegistryFetchException malformedJson(URI uri, JacksonException e) {
        // Jackson's message quotes the offending input; keep only the location.
        return new RegistryFetchException(Kind.MALFORMED, "malformed JSON from " + shortUrl(uri)
                + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                + ", column " + e.getLocation().getColumnNr()), uri.toString(), null, e);
    }

    static RegistryFetchException deadlineExceeded(URI uri, Throwable cause) {
        return new RegistryFetchException(Kind.TIMEOUT, "no complete answer within the total deadline: "
                + shortUrl(uri), uri == null ? null : uri.toString(), null, cause);
    }

    static RegistryFetchException tooLarge(URI uri, long max, String detail) {
        return new RegistryFetchException(Kind.TOO_LARGE, "response too large: limit " + max + " bytes, "
                + detail + " (" + shortUrl(uri) + ")", uri == null ? null : uri.toString(), null, null);
    }

    /**
     * Belt and braces: messages are built from URLs and library texts that never see the token,
     * but should one ever echo it, it is cut out here.
     */
    static RegistryFetchException redacted(RegistryFetchException e, RegistryEndpoint registry) {
        String token = registry.bearerToken();
        if (token == null || e.getMessage() == null || !e.getMessage().contains(token)) {
            return e;
        }
        return new RegistryFetchException(e.kind(), e.getMessage().replace(token, "(redacted)"), e.url(),
                e.httpStatus(), e.retryAfter(), null);
    }

    /** The outcome tag of the request meters for a failure. */
    static String outcomeOf(RegistryFetchException e) {
        return switch (e.kind()) {
            case HTTP_STATUS -> e.httpStatus() != null && e.httpStatus() >= 500 ? "server_error" : "client_error";
            case TIMEOUT -> "timeout";
            case TOO_LARGE -> "too_large";
            case REFUSED_ADDRESS -> "refused";
            case REDIRECT -> "redirect";
            case CONTENT_TYPE, MALFORMED -> "malformed";
            case CIRCUIT_OPEN -> "circuit_open";
            case RATE_LIMITED -> "rate_limited";
            case IO -> "io_error";
        };
    }

    static String shortUrl(URI uri) {
        return uri == null ? "(unknown url)" : RegistryFetchException.safeText(RegistryFetchException.safeUrl(uri.toString()), 160);
    }

    private static <T extends Throwable> T causeOfType(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
