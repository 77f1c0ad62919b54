package io.marketplaceindex.api.web;

import com.fasterxml.jackson.annotation.JsonValue;
import tools.jackson.databind.util.RawValue;

/** JSON text as stored in PostgreSQL, spliced into an answer without a parse/serialize round trip. */
public record RawJson(String json) {

    /** @return null for null, so that an absent value stays absent (or null) in the answer */
    public static RawJson of(String json) {
        return json == null ? null : new RawJson(json);
    }

    @JsonValue
    public RawValue value() {
        return new RawValue(json);
    }
}
