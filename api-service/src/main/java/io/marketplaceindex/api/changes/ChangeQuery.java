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

    /** PostgreSQL's timestamps end in the year 294276; ISO-8601 instants go far beyond either way. */
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    private static Instant instant(String raw) {
        Instant parsed = parseInstant(raw);
        if (parsed != null && (parsed.isBefore(EARLIEST) || parsed.isAfter(LATEST))) {
            throw ApiException.badRequest("updatedSince must lie between the years 0001 and 9999");
        }
        return parsed;
    }

    private static Instant parseInstant(String raw) {
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
