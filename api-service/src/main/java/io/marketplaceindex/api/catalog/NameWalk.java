package io.marketplaceindex.api.catalog;

import io.marketplaceindex.agent.SearchGrams;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
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
     * One match read through the trigram index costs about as much as walking this many rows of a
     * covering index. The trigram index is lossy, so each row it finds is rechecked against its text,
     * which is decompressed. Measured at 5M rows (benchmarks/results/read-2026-12-06-5m-walk.md): about
     * 1 µs a row walked against 4.3 µs a table row. At 1M, {@code q=flat} with a tag and a registry: the
     * walk 8.9 ms, reading the 5,179 rows holding {@code flat} 14.7 ms (EXPLAIN); counted as 2, that
     * request read them (benchmarks/results/read-2026-12-07-both-sizes.md). Since the walk checks LIKE
     * rather than strpos a walked row costs 0.45-0.5 µs, and at 1M the same request walked 15,696 rows in
     * 7.9 ms where reading its 5,173 needle rows took 15.8 ms, 3.05 µs each: counted as 4, a sample with
     * 6 of its expected 8 matching rows read them (benchmarks/results/read-2026-12-08-both-sizes-v26.md).
     */
    static final long TRIGRAM_MATCH_IN_WALKED_ROWS = 6;
    /**
     * The same for a short needle's match read through the gram index, which is exact: the row's text is
     * not read. Measured at 5M rows on the project's server settings, everything in memory: 0.62 µs a
     * row walked ({@code q=qj}: 42,171 rows, 26 ms) against 1.34 µs a match (its 5,968 matches, sorted
     * and counted: 8 ms). Counted as 4, a sample holding a third more {@code qj} rows than expected
     * walked (27 ms instead of 11, benchmarks/results/read-2026-12-07-5m-before-cheaper-reads.md).
     */
    static final long GRAM_MATCH_IN_WALKED_ROWS = 2;
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
        long matchInWalkedRows = SearchGrams.answers(query.needle()) ? GRAM_MATCH_IN_WALKED_ROWS
                : TRIGRAM_MATCH_IN_WALKED_ROWS;
        if (walk == Long.MAX_VALUE || walk >= matchInWalkedRows * estimate.indexRows()) {
            return Optional.empty();
        }
        return Optional.of(new Plan(Math.max(MIN_BOUND, walk * BOUND_FACTOR),
                estimate.indexRows() > COUNTED_MAX ? new CatalogRepository.Total(estimate.matches(), false) : null));
    }

    /**
     * The keys of the page found by walking the name order over at most {@code bound} rows (of the
     * registry, with one): catalog_rows_name_search, or catalog_rows_by_registry_name with a registry,
     * both covering the columns the filter checks, so the walk reads no table row. The filter is LIKE,
     * not strpos: on rows the walk passes over it costs about two thirds of strpos's time (1M rows).
     */
    static CatalogRepository.Keys walk(CatalogQuery query, List<UUID> registryIds, long bound) {
        List<Object> params = new ArrayList<>();
        String range = "true";
        // within one registry (sort_name, handle) is the whole order (handle is unique there) and the one
        // its index gives: naming registry_id too would make PostgreSQL sort the whole walk, having
        // guessed that the LIKE leaves one row, instead of stopping at the page's last match
        String order = "sort_name, handle, registry_id";
        if (query.registryUrl() != null) {
            range = "registry_id = ?";
            params.add(registryIds.get(0));
            order = "sort_name, handle";
        }
        String keyset = CatalogRepository.keyset(query, params);
        params.add(bound);
        params.add("%" + CatalogRepository.escapeLike(query.needle()) + "%");
        String tags = "";
        if (!query.tags().isEmpty()) {
            tags = " AND tags && ?::text[]";
            params.add(query.tags().toArray(String[]::new));
        }
        params.add(query.limit());
        params.add(query.offset());
        return new CatalogRepository.Keys("""
                SELECT registry_id, handle, sort_name
                FROM (SELECT registry_id, handle, sort_name, tags, search_text
                      FROM marketplace_catalog_rows
                      WHERE %s%s
                      ORDER BY %s
                      LIMIT ?) walk
                WHERE search_text LIKE ? ESCAPE '\\'%s
                ORDER BY %s
                LIMIT ? OFFSET ?
                """.formatted(range, keyset, order, tags, order), params);
    }

    /**
     * Whether a name-ordered page that the sample did not walk (or whose walk did not fill it) reads the
     * needle's rows first: with tags or a registry beside the needle. The sample chose the index route
     * because the needle's rows are few, but PostgreSQL, which estimates {@code LIKE '%needle%'} with a
     * constant, may find them otherwise: at 1M agents, {@code q=flat} with the most common tag and the
     * largest registry (390 matches, 5,179 rows holding {@code flat}) scanned the registry's 132,000 rows
     * in name order (86 ms), and forced onto bitmaps it ANDed the tag's 545,000 rows in (106 ms); read
     * first, the needle's rows took 13 ms. Which route a request took depended on the sample it drew.
     */
    static boolean readsNeedleFirst(CatalogQuery query) {
        return query.sort() == CatalogQuery.Sort.NAME && !query.verified()
                && (!query.tags().isEmpty() || query.registryUrl() != null);
    }

    /**
     * The keys of a page through the needle's rows first: the substring index finds them (the fence,
     * {@code OFFSET 0}, keeps PostgreSQL from planning the other filters into that search), then the
     * other filters and the order apply to them.
     *
     * @param needle  the needle's condition ({@link CatalogQuery#onlyNeedle()})
     * @param others  the other filters' conditions ({@link CatalogQuery#withoutNeedle()})
     * @param counted whether the statement counts the matches too ({@code matches})
     */
    static CatalogRepository.Keys needleFirst(CatalogQuery query, CatalogRepository.Where needle,
                                              CatalogRepository.Where others, boolean counted) {
        List<Object> params = new ArrayList<>(needle.params());
        params.addAll(others.params());
        String keyset = CatalogRepository.keyset(query, params);
        params.add(query.limit());
        params.add(query.offset());
        return new CatalogRepository.Keys("""
                SELECT registry_id, handle, sort_name%s
                FROM (SELECT registry_id, handle, sort_name, tags
                      FROM marketplace_catalog_rows
                      WHERE %s  -- catalog_rows_search_trgm or catalog_rows_search_grams
                      OFFSET 0) needle
                WHERE %s%s
                ORDER BY sort_name, handle, registry_id
                LIMIT ? OFFSET ?
                """.formatted(counted ? ", count(*) OVER () AS matches" : "", needle.sql(), others.sql(), keyset),
                params);
    }
}
