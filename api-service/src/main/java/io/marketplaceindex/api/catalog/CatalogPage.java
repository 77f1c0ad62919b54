package io.marketplaceindex.api.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import tools.jackson.core.io.SerializedString;
import tools.jackson.databind.util.RawValue;

import java.time.Instant;
import java.util.List;

/** The compatible answer of GET /api/marketplace, with our additions in meta. */
public record CatalogPage(List<RawAgent> data, long total, int offset, int limit, Meta meta) {

    /**
     * An agent exactly as stored: spliced into the answer without a parse/serialize round trip. Its
     * UTF-8 bytes are encoded once and kept ({@link SerializedString}): a cache miss renders the page
     * twice (for the client and for the cache), the second time as a copy.
     */
    public record RawAgent(SerializedString json) {
        public RawAgent(String json) {
            this(new SerializedString(json));
        }

        @JsonValue
        public RawValue value() {
            return new RawValue(json);
        }
    }

    /**
     * @param sources       {@link CatalogSummary#sources()} as JSON, rendered once per summary: at 200
     *                      registries it is about 38 KB, more than a third of a page of 50 agents
     * @param tags          the catalog's most frequent tags, sorted by tag, as JSON rendered once per summary;
     *                      every tag with its count is at GET /api/marketplace/tags
     * @param tagsTruncated true when the catalog has more distinct tags than {@code tags} lists
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Meta(int registries, Instant builtAt, RawValue sources, String cache,
                       String catalog, RawValue tags, boolean tagsTruncated, boolean totalExact, long generation,
                       String nextCursor) {
    }
}
