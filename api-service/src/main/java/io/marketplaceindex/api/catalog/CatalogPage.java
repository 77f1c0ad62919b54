package io.marketplaceindex.api.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import tools.jackson.databind.util.RawValue;

import java.time.Instant;
import java.util.List;

/** The compatible answer of GET /api/marketplace, with our additions in meta. */
public record CatalogPage(List<RawAgent> data, long total, int offset, int limit, Meta meta) {

    /** An agent exactly as stored: spliced into the answer without a parse/serialize round trip. */
    public record RawAgent(String json) {
        @JsonValue
        public RawValue value() {
            return new RawValue(json);
        }
    }

    /**
     * @param tags          the catalog's most frequent tags, sorted by tag; every tag with its count is at
     *                      GET /api/marketplace/tags
     * @param tagsTruncated true when the catalog has more distinct tags than {@code tags} lists
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Meta(int registries, Instant builtAt, List<CatalogSummary.Source> sources, String cache,
                       String catalog, List<String> tags, boolean tagsTruncated, boolean totalExact, long generation,
                       String nextCursor) {
    }
}
