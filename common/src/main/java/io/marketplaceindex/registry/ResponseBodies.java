package io.marketplaceindex.registry;

import io.marketplaceindex.registry.RegistryFetchException.Kind;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.marketplaceindex.registry.FetchFailures.shortUrl;

/**
 * Reads one final (non-redirect) response: bounded bodies, JSON-only content, the validators and
 * freshness callers store, and the release of its connection.
 */
final class ResponseBodies {

    private static final Logger log = LoggerFactory.getLogger(ResponseBodies.class);

    /** Bodies of answers we do not use are read up to this size to keep the connection reusable. */
    private static final int DRAIN_LIMIT = 8 * 1024;

    private ResponseBodies() {
    }

    static <T> Answer<T> okAnswer(ClassicHttpResponse response, long maxBytes, Deadline deadline, URI uri,
                                  Answer.BodyParser<T> parser) {
        requireJsonContentType(response, uri);
        byte[] raw = readBounded(response.getEntity(), maxBytes, deadline, uri);
        return new Answer<>(200, parser.parse(raw, uri), raw, headerValue(response, HttpHeaders.ETAG),
                headerValue(response, HttpHeaders.LAST_MODIFIED), freshFor(response));
    }

    /**
     * Any final status but 200: the body is never used, only the status and validators.
     *
     * @param maxRetryAfter a 429 asking to wait longer says so in its failure (and is not retried)
     */
    static <T> Answer<T> statusAnswer(ClassicHttpResponse response, int code, boolean conditional, String ifNoneMatch,
                                      URI uri, Duration maxRetryAfter) {
        String etag = headerValue(response, HttpHeaders.ETAG);
        if (conditional && (code == 304 || code == 404 || code == 410)) {
            // A 304 need not repeat the ETag; the one we sent is still the valid one.
            String validator = code == 304 && etag == null ? ifNoneMatch : etag;
            // A 304 carries the freshness of the stored answer anew (RFC 9111 §4.3.4); a 404/410 has none we use.
            return new Answer<>(code, null, null, validator, headerValue(response, HttpHeaders.LAST_MODIFIED),
                    code == 304 ? freshFor(response) : Duration.ZERO);
        }
        if (code == 429) {
            Duration retryAfter = parseRetryAfter(headerValue(response, HttpHeaders.RETRY_AFTER));
            String wait = retryAfter == null ? "" : retryAfter.compareTo(maxRetryAfter) > 0
                    ? "; it asked to wait " + retryAfter.toSeconds() + " s, longer than the "
                            + maxRetryAfter.toSeconds() + " s we wait"
                    : "; Retry-After " + retryAfter.toSeconds() + " s";
            throw new RegistryFetchException(Kind.RATE_LIMITED, "HTTP 429 (rate limited) from " + shortUrl(uri) + wait,
                    uri.toString(), 429, retryAfter, null);
        }
        throw new RegistryFetchException(Kind.HTTP_STATUS, "HTTP " + code + " from " + shortUrl(uri),
                uri.toString(), code, null);
    }

    private static void requireJsonContentType(ClassicHttpResponse response, URI uri) {
        String contentType = headerValue(response, HttpHeaders.CONTENT_TYPE);
        if (contentType == null) {
            return;
        }
        int semicolon = contentType.indexOf(';');
        String mime = (semicolon >= 0 ? contentType.substring(0, semicolon) : contentType).trim().toLowerCase(Locale.ROOT);
        boolean json = mime.isEmpty() || mime.equals("application/json") || mime.equals("text/json")
                || (mime.startsWith("application/") && mime.endsWith("+json"));
        if (!json) {
            throw new RegistryFetchException(Kind.CONTENT_TYPE, "unexpected content type '"
                    + RegistryFetchException.safeText(mime, 60) + "' from " + shortUrl(uri) + " (expected JSON)",
                    uri.toString(), null, null);
        }
    }

    /** Reads the whole body, failing as soon as it passes {@code max} bytes or the deadline. */
    private static byte[] readBounded(HttpEntity entity, long max, Deadline deadline, URI uri) {
        if (entity == null) {
            return new byte[0];
        }
        long announced = entity.getContentLength();
        if (announced > max) {
            throw FetchFailures.tooLarge(uri, max, "announces " + announced + " bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(announced >= 0 ? (int) announced : 8192);
        byte[] buffer = new byte[8192];
        long total = 0;
        try {
            InputStream in = entity.getContent();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                if (total > max) {
                    throw FetchFailures.tooLarge(uri, max, "sent more");
                }
                // The read timeout restarts with every byte, so only this check stops a trickle.
                if (deadline.passed()) {
                    throw FetchFailures.deadlineExceeded(uri, null);
                }
                out.write(buffer, 0, n);
            }
        } catch (RegistryFetchException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw FetchFailures.translate(e, deadline, uri);
        }
        return out.toByteArray();
    }

    /**
     * Reads a small unwanted body so the connection can go back to the pool; gives up (and lets
     * {@link #release} discard the connection) when the body is large or slow.
     */
    static boolean drain(ClassicHttpResponse response, Deadline deadline) {
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            return true;
        }
        if (entity.getContentLength() > DRAIN_LIMIT || entity.getContentLength() < 0) {
            return false;
        }
        try {
            readBounded(entity, DRAIN_LIMIT, deadline, null);
            return true;
        } catch (RegistryFetchException e) {
            log.debug("not reusing a connection whose unused body could not be drained: {}", e.getMessage());
            return false;
        }
    }

    /**
     * Closing a response whose body was not read to the end would make HttpClient drain the rest,
     * however large or slow; cancelling first drops the connection instead.
     */
    static void release(HttpGet get, ClassicHttpResponse response, boolean consumed) {
        if (!consumed) {
            get.cancel();
        }
        try {
            response.close();
        } catch (IOException e) {
            // The answer (or the failure) is already decided; a close failure only costs a connection.
            log.debug("closing a registry response failed: {}", e.toString());
        }
    }

    /** Taken once the answer is complete: a slow body counts against its freshness, never for it. */
    private static Duration freshFor(ClassicHttpResponse response) {
        List<String> cacheControl = new ArrayList<>();
        for (Header h : response.getHeaders(HttpHeaders.CACHE_CONTROL)) {
            cacheControl.add(h.getValue());
        }
        return HttpFreshness.freshFor(cacheControl, headerValue(response, HttpHeaders.EXPIRES),
                headerValue(response, HttpHeaders.DATE), headerValue(response, HttpHeaders.AGE), Instant.now());
    }

    static String headerValue(ClassicHttpResponse response, String name) {
        Header h = response.getFirstHeader(name);
        return h == null ? null : h.getValue();
    }

    /** Parses Retry-After as delta-seconds or an HTTP-date; null when absent or unreadable. */
    static Duration parseRetryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        if (v.chars().allMatch(Character::isDigit)) {
            // Absurd values saturate rather than overflow; the cap turns them into a failure.
            return v.length() > 9 ? Duration.ofDays(365) : Duration.ofSeconds(Long.parseLong(v));
        }
        try {
            Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            log.debug("ignoring unreadable Retry-After value");
            return null;
        }
    }
}
