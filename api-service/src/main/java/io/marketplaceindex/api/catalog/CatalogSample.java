package io.marketplaceindex.api.catalog;

import java.util.List;
import java.util.UUID;

/**
 * A random sample of the catalog's rows, with just what a substring filter checks, from which the
 * service estimates how many rows a filter matches. PostgreSQL cannot: it estimates
 * {@code LIKE '%needle%'} from a constant (at 5M rows, 500 rows for {@code flat}, which matches
 * 26,281), so it cannot tell when walking the name order is cheaper than reading every match.
 *
 * @param rows        the sampled rows
 * @param catalogRows the catalog's size when the sample was taken
 */
record CatalogSample(List<Row> rows, long catalogRows) {

    record Row(UUID registryId, List<String> tags, String searchText) {
    }

    /**
     * A filter's estimated matches: in the sample, the rows the walk passes over ({@code inRange}: in
     * the registry, or all), those of them that match the whole filter, and those that contain the
     * needle (which the index route reads, whatever the other filters).
     */
    record Estimate(long sampled, long inRange, long matching, long containing, long catalogRows) {

        /** Rows of the walk's range it passes over to find {@code wanted} matches; MAX_VALUE when none matched. */
        long walkEntries(long wanted) {
            if (matching == 0) {
                return Long.MAX_VALUE;
            }
            return (long) Math.ceil((double) wanted * inRange / matching);
        }

        /** Rows the index route reads: every row containing the needle. */
        long indexRows() {
            return Math.round(containing * scale());
        }

        /** Rows matching the whole filter. */
        long matches() {
            return Math.round(matching * scale());
        }

        private double scale() {
            return sampled == 0 ? 0 : (double) catalogRows / sampled;
        }
    }

    /**
     * @param registryId the one registry the filter names, or null
     * @param tags       rows having any of these (none: no tag filter)
     */
    Estimate estimate(String needle, List<String> tags, UUID registryId) {
        long inRange = 0;
        long matching = 0;
        long containing = 0;
        for (Row row : rows) {
            boolean contains = row.searchText().contains(needle);
            if (contains) {
                containing++;
            }
            if (registryId != null && !registryId.equals(row.registryId())) {
                continue;
            }
            inRange++;
            if (contains && (tags.isEmpty() || tags.stream().anyMatch(row.tags()::contains))) {
                matching++;
            }
        }
        return new Estimate(rows.size(), inRange, matching, containing, catalogRows);
    }
}
