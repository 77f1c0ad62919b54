package io.marketplaceindex.api.catalog;

import java.util.List;

/**
 * The answer of GET /api/marketplace/tags: how many agents carry each tag under the request's q (matched
 * as its match says), registryUrl and verified, most frequent first (ties by tag, byte order).
 *
 * @param total the number of distinct tags in {@code data}
 */
public record TagFacets(List<Count> data, int total, Meta meta) {

    public record Count(String tag, long count) {
    }

    /**
     * @param exact             false when the filtered count ran out of time and {@code data} holds the
     *                          whole catalog's counts instead
     * @param source            {@code counters} (maintained with the rows), {@code query} (counted under the
     *                          filters) or {@code counters_fallback} (the query ran out of time)
     * @param filtersApplied    the request's filters the counts honour (q, registryUrl, verified)
     * @param tagsFilterApplied always false: a tags filter would hide the other values of the facet
     */
    public record Meta(boolean exact, String source, List<String> filtersApplied, boolean tagsFilterApplied,
                       long generation, String cache) {
    }
}
