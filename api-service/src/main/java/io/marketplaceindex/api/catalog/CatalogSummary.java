package io.marketplaceindex.api.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/**
 * The parts of meta that depend on the catalog generation only, not on the query.
 *
 * @param tags          the most frequent tags (at most {@code marketplace.catalog.meta-tags-max}), sorted by tag
 * @param tagsTruncated whether the catalog has more distinct tags than {@code tags} holds
 */
public record CatalogSummary(long generation, int registries, Instant builtAt, List<Source> sources, List<String> tags,
                             boolean tagsTruncated) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Source(String registryId, String name, String url, boolean ok, int agentCount, Long fetchMs,
                         String error) {
    }
}
