package io.marketplaceindex.api.catalog;

import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Chooses how a name-ordered page under {@code q} is found. Through an index (trigram or grams), every
 * match is read from the table to be sorted: 4-9 µs a row once the table outgrows memory, so a needle
 * of 26,000 matches at 5M rows takes 140 ms for a page of 50. Walking the name order instead, over an
 * index that holds what the filter checks (catalog_rows_name_search, or catalog_rows_by_registry_name
 * for one registry: V22), reads no table row until the page is known: 0.6-1 µs a row walked. The
 * walk wins when the page's matches are near the start of the order, that is when matches are common.
 * <p>
 * PostgreSQL cannot make this choice: it estimates {@code LIKE '%needle%'} with a constant. The
 * service estimates from its sample of the catalog ({@link CatalogSample}) and walks when the rows to
 * walk cost less than the matches to read. The walk is bounded (a stale or unlucky sample costs at
 * most {@value #BOUND_FACTOR} times the expected walk); a walk that has not filled the page when it
 * stops gives way to the index, so the answer is always the index's.
 */
@Component
class NameWalk {

    /**
     * One match read through an index costs about as much as walking this many rows of a covering index.
     * Measured at 5M rows (benchmarks/results/read-2026-12-06-5m-walk.md): about 1 µs a row walked
     * (0.6 µs at 1M, where the index is in memory) against 4.3 µs a table row. With 8, {@code q=qj}
     * (5,968 matches) walked 84,000 rows for 45 ms instead of reading its matches for 20 ms.
     */
    static final long TABLE_ROW_IN_WALKED_ROWS = 4;
    /** The walk stops after this many times the rows the sample expects it to need. */
    static final long BOUND_FACTOR = 2;
    /** A small expected walk is not cut finer than this: the sample's resolution. */
    static final long MIN_BOUND = 2_000;
    /**
     * A walked page's total is counted on the request only when the count reads at most this many table
     * rows: the rows holding the needle, which the index gives and the count rechecks, however few of
     * them the other filters keep (at 1M, q=flat with a tag and a registry: 390 matches, 5,179 rows read,
     * 12.5 ms). Past it, the sample's estimate is the answer's total, flagged, and counted exactly in the
     * background ({@link ExactTotals}).
     */
    static final long COUNTED_MAX = 1_000;

    /**
     * @param bound rows to walk at most
     * @param total the total to answer with, or null to count it as for any page
     */
    record Plan(long bound, CatalogRepository.Total total) {
    }

    private final SubstringNarrowing narrowing;

    NameWalk(SubstringNarrowing narrowing) {
        this.narrowing = narrowing;
    }

    /** The sample's estimate of a {@code q} filter, or empty without a sample (or for several registries). */
    Optional<CatalogSample.Estimate> estimate(CatalogQuery query, List<UUID> registryIds) {
        if (query.needle() == null || query.registryUrl() != null && registryIds.size() != 1) {
            return Optional.empty();
        }
        return narrowing.sample().map(sample -> sample.estimate(query.needle(), query.tags(),
                query.registryUrl() == null ? null : registryIds.get(0)));
    }

    static Optional<Plan> plan(CatalogQuery query, CatalogSample.Estimate estimate) {
        if (query.sort() != CatalogQuery.Sort.NAME || query.verified()) {
            return Optional.empty();
        }
        long walk = estimate.walkEntries((long) query.offset() + query.limit());
        if (walk == Long.MAX_VALUE || walk >= TABLE_ROW_IN_WALKED_ROWS * estimate.indexRows()) {
            return Optional.empty();
        }
        return Optional.of(new Plan(Math.max(MIN_BOUND, walk * BOUND_FACTOR),
                estimate.indexRows() > COUNTED_MAX ? new CatalogRepository.Total(estimate.matches(), false) : null));
    }
}
