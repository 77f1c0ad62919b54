package io.marketplaceindex.api.changes;

import io.marketplaceindex.api.web.ApiException;
import io.marketplaceindex.api.web.Limits;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * A validated changes-feed request.
 *
 * @param updatedSince only changes made at or after this instant, or null
 * @param cursor       continue strictly after this position, or null for the start of the feed
 */
public record ChangeQuery(Instant updatedSince, ChangeCursor cursor, int limit) {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    static ChangeQuery parse(String updatedSince, String cursor, String limit) {
        return new ChangeQuery(instant(updatedSince),
                cursor == null || cursor.isBlank() ? null : ChangeCursor.decode(cursor),
                Limits.parse("limit", limit, DEFAULT_LIMIT, MAX_LIMIT));
    }

    private static Instant instant(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String trimmed = raw.trim();
        try {
            return Instant.parse(trimmed);
        } catch (DateTimeException e) {
            // also an offset other than Z, e.g. 2026-11-01T09:00:00+01:00 (with '+' percent-encoded)
            try {
                return OffsetDateTime.parse(trimmed).toInstant();
            } catch (DateTimeException again) {
                throw ApiException.badRequest("updatedSince must be an ISO-8601 instant such as 2026-11-01T00:00:00Z");
            }
        }
    }
}
