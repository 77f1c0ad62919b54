package io.marketplaceindex.registry;

import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * The answer to a conditional GET of a record or a card.
 *
 * @param status       what the server said, reduced to the four answers a caller acts on
 * @param httpStatus   the final HTTP status (after redirects)
 * @param body         the parsed JSON object when {@link Status#OK}; null otherwise
 * @param rawBody      the exact bytes received when {@link Status#OK} (for content hashes); null otherwise
 * @param etag         the validator to send as If-None-Match next time; on 304 without an ETag
 *                     header, the one we sent (it is still valid); null when there is none
 * @param lastModified the Last-Modified header, for If-Modified-Since next time; null when absent
 * @param freshFor     how long after it arrived the answer stays fresh by its Cache-Control / Expires / Age
 *                     headers ({@link HttpFreshness}); {@link Duration#ZERO} when it is not fresh. Uncapped:
 *                     the caller bounds how much of it it trusts.
 */
public record Fetched(Status status, int httpStatus, JsonNode body, byte[] rawBody, String etag, String lastModified,
                      Duration freshFor) {

    public enum Status { OK, NOT_MODIFIED, NOT_FOUND, GONE }

    public Fetched {
        Objects.requireNonNull(status, "status");
        if (status == Status.OK && (body == null || rawBody == null)) {
            throw new IllegalArgumentException("an OK answer carries a body");
        }
        freshFor = freshFor == null || freshFor.isNegative() ? Duration.ZERO : freshFor;
    }

    /** An answer without freshness information. */
    public Fetched(Status status, int httpStatus, JsonNode body, byte[] rawBody, String etag, String lastModified) {
        this(status, httpStatus, body, rawBody, etag, lastModified, Duration.ZERO);
    }

    public boolean isOk() {
        return status == Status.OK;
    }

    // byte[] compares by identity in a record's generated methods; compare content instead.
    @Override
    public boolean equals(Object o) {
        return o instanceof Fetched f && status == f.status && httpStatus == f.httpStatus
                && Objects.equals(body, f.body) && Arrays.equals(rawBody, f.rawBody)
                && Objects.equals(etag, f.etag) && Objects.equals(lastModified, f.lastModified)
                && freshFor.equals(f.freshFor);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, httpStatus, body, Arrays.hashCode(rawBody), etag, lastModified, freshFor);
    }

    @Override
    public String toString() {
        return "Fetched[status=" + status + ", httpStatus=" + httpStatus + ", bytes="
                + (rawBody == null ? 0 : rawBody.length) + ", etag=" + etag + ", lastModified=" + lastModified + ", freshFor=" + freshFor + "]";
    }
}
