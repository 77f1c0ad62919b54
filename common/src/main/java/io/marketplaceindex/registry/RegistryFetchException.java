package io.marketplaceindex.registry;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * A registry (or a card host) could not be read. The message is meant for an operator's screen:
 * it never holds a bearer token or a response body, it is stripped of control characters and it
 * is bounded in length, whatever the registry sent. It does name hosts, resolved addresses, ports
 * and whether a connection was refused or timed out, so public answers use {@link #publicMessage()}.
 */
public class RegistryFetchException extends RuntimeException {

    /** Why the fetch failed; drives retry, circuit breaking, metrics and the sync status. */
    public enum Kind {
        /** An HTTP status the caller cannot use (401, 403, 5xx, ...); see {@link #httpStatus()}. */
        HTTP_STATUS,
        /** Connect, read or total deadline exceeded. */
        TIMEOUT,
        /** The body exceeded the size limit (announced or actual). */
        TOO_LARGE,
        /** The target resolved to an address the SSRF guard forbids. */
        REFUSED_ADDRESS,
        /** Too many redirects, or a redirect to something that is not http(s). */
        REDIRECT,
        /** A content type that is not JSON. */
        CONTENT_TYPE,
        /** The body is not the JSON shape expected. */
        MALFORMED,
        /** The registry's circuit breaker is open; no request was sent. */
        CIRCUIT_OPEN,
        /** 429 from the registry (with {@link #httpStatus()}), or our own per-registry limit (without). */
        RATE_LIMITED,
        /** Any other transport failure (refused connection, reset, TLS, unknown host). */
        IO
    }

    static final int MAX_MESSAGE_CHARS = 300;
    private static final int MAX_URL_CHARS = 512;

    private final Kind kind;
    private final Integer httpStatus;
    private final String url;
    private final Duration retryAfter;

    public RegistryFetchException(Kind kind, String message, String url, Integer httpStatus, Throwable cause) {
        this(kind, message, url, httpStatus, null, cause);
    }

    RegistryFetchException(Kind kind, String message, String url, Integer httpStatus, Duration retryAfter,
                           Throwable cause) {
        super(safeText(message, MAX_MESSAGE_CHARS), cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.httpStatus = httpStatus;
        this.url = url == null ? null : safeUrl(url);
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status behind {@link Kind#HTTP_STATUS} and a registry's 429; null otherwise. */
    public Integer httpStatus() {
        return httpStatus;
    }

    /** The URL that failed, without user info, query or fragment; null if not known. */
    public String url() {
        return url;
    }

    /** The wait a 429 asked for (Retry-After), when it asked; null otherwise. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** Public text for an unreachable target, whatever made it so. */
    public static final String PUBLIC_UNREACHABLE = "unreachable";

    /**
     * What the public may read about this failure: a phrase from a small fixed vocabulary that names
     * no host, address, port or URL. A target the SSRF guard refused, one that timed out, one that
     * refused the connection, an unknown host and an open circuit all read {@value #PUBLIC_UNREACHABLE}:
     * telling them apart would let anyone who can publish a card URL map the indexer's network through
     * the public catalog. The full detail stays in {@link #getMessage()}, for operators.
     */
    public String publicMessage() {
        return switch (kind) {
            case TIMEOUT, IO, REFUSED_ADDRESS, CIRCUIT_OPEN -> PUBLIC_UNREACHABLE;
            case HTTP_STATUS -> httpStatus == null ? "HTTP error" : "HTTP " + httpStatus;
            case RATE_LIMITED -> "rate limited";
            case TOO_LARGE -> "answer too large";
            case REDIRECT -> "redirect not followed";
            case CONTENT_TYPE -> "answer is not JSON";
            case MALFORMED -> "malformed answer or URL";
        };
    }

    /** {@link #publicMessage()} for any failure: anything that is not a fetch exception is an internal error. */
    public static String publicMessage(Throwable failure) {
        return failure instanceof RegistryFetchException e ? e.publicMessage() : "internal error";
    }

    /** The compatible {@code lastSyncStatus} value: {@code http_<status>} when there is one, else {@code error}. */
    public String compatibleStatus() {
        return httpStatus == null ? "error" : "http_" + httpStatus;
    }

    /** {@link #compatibleStatus()} for any failure: anything that is not a fetch exception is {@code error}. */
    public static String compatibleStatus(Throwable failure) {
        return failure instanceof RegistryFetchException e ? e.compatibleStatus() : "error";
    }

    /**
     * Reduces a URL to what is safe to show: no user info, query (signed URLs carry credentials
     * there) or fragment, bounded in length.
     */
    static String safeUrl(String raw) {
        String reduced;
        try {
            URI uri = URI.create(raw);
            if (uri.getScheme() != null && uri.getRawAuthority() != null) {
                String host = uri.getHost() != null ? uri.getHost() : "";
                if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
                    host = "[" + host + "]";
                }
                reduced = uri.getScheme() + "://" + host + (uri.getPort() == -1 ? "" : ":" + uri.getPort())
                        + (uri.getRawPath() == null ? "" : uri.getRawPath());
            } else {
                reduced = uri.getScheme() == null ? "(relative url)" : uri.getScheme() + ":…";
            }
        } catch (IllegalArgumentException notAUri) {
            // Guessing where credentials end in a malformed URL is how they leak; show nothing.
            reduced = "(unparseable url)";
        }
        return safeText(reduced, MAX_URL_CHARS);
    }

    /** Control characters become spaces (no log or terminal injection), then the text is bounded. */
    static String safeText(String text, int max) {
        if (text == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), max + 1));
        for (int i = 0; i < text.length() && sb.length() < max; i++) {
            char c = text.charAt(i);
            sb.append(Character.isISOControl(c) ? ' ' : c);
        }
        if (text.length() > max) {
            sb.setLength(max - 1);
            sb.append('…');
        }
        return sb.toString();
    }
}
