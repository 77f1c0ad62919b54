package io.marketplaceindex.api.catalog;

import io.marketplaceindex.agent.SearchGrams;
import io.marketplaceindex.api.web.ReadBudget;
import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The catalog's read SQL. Every page walks a btree in output order and stops after one page:
 * catalog_rows_by_name (sort_name, handle, registry_id) INCLUDE (tags), catalog_rows_by_handle (handle, registry_id)
 * or catalog_rows_by_registry_name; filters narrow it through catalog_rows_search_trgm (q of three code
 * points or more), catalog_rows_search_grams (q of one or two) and catalog_rows_tags (tags). Deep
 * offsets use a deferred join: the offset is skipped over the narrow index entries (without a filter,
 * those of marketplace_catalog_name_order, V23), and only the page's rows are read in full.
 * verified=true walks the partial indexes catalog_rows_verified_by_name and
 * catalog_rows_verified_by_handle (V16), which hold only the verified rows, in the same orders.
 * A name-ordered page of a common needle walks catalog_rows_name_search (or the registry's order) with
 * the filter checked in the index instead (V22, chosen by NameWalk).
 */
@Repository
public class CatalogRepository {

    /**
     * Agents having tag a or tag b: |a| + |b| - |a and b|, from the worker's counters
     * (marketplace_tag_counts, marketplace_tag_pair_counts primary keys); pairs are not counted for
     * the rare rows with more than 32 tags, which catalog_rows_many_tags finds directly.
     */
    /** The catalog's size, from the per-registry counters the worker keeps with the rows. */
    static final String CATALOG_TOTAL = "SELECT coalesce(sum(record_count), 0) FROM marketplace_registries WHERE enabled";

    private static final String TWO_TAGS_TOTAL = """
            SELECT (SELECT coalesce(sum(agent_count), 0) FROM marketplace_tag_counts WHERE tag IN (?, ?))
                 - (SELECT coalesce(max(agent_count), 0) FROM marketplace_tag_pair_counts
                    WHERE tag_a = least(?::text COLLATE "C", ?::text COLLATE "C")
                      AND tag_b = greatest(?::text COLLATE "C", ?::text COLLATE "C"))
                 - (SELECT count(*) FROM marketplace_catalog_rows
                    WHERE cardinality(tags) > 32 AND tags @> ARRAY[?, ?]::text[])
            """;

    /** Planning takes well under a millisecond; this only bounds a wait for a table lock. */
    private static final Duration PLAN_TIMEOUT = Duration.ofSeconds(1);

    private final JdbcClient jdbc;
    private final ReadBudget reads;
    private final CountBudget budget;
    private final JsonMapper json;
    private final SubstringNarrowing narrowing;
    private final NameWalk nameWalk;
    private final long maxCountedEstimate;
    private final boolean countsOnRequests;

    CatalogRepository(JdbcClient jdbc, ReadBudget reads, CountBudget budget, JsonMapper json,
                      SubstringNarrowing narrowing, NameWalk nameWalk, CatalogProperties properties) {
        this.jdbc = jdbc;
        this.reads = reads;
        this.budget = budget;
        this.json = json;
        this.narrowing = narrowing;
        this.nameWalk = nameWalk;
        this.maxCountedEstimate = properties.exactCountMaxEstimate();
        this.countsOnRequests = !properties.exactCountTimeout().isZero();
    }

    /** A page of rows; agent JSON is passed through as stored, never re-parsed. */
    public record PageRow(String agentJson, String sortName, String handle, UUID registryId) {
    }

    public record Total(long value, boolean exact) {
    }

    public List<UUID> registryIdsByUrl(String normalizedUrl) {
        return reads.read(() -> jdbc.sql("SELECT id FROM marketplace_registries WHERE url = ? AND enabled") // marketplace_registries_url_key
                .param(normalizedUrl).query(UUID.class).list());
    }

    /** A page of rows and, when the same statement counted the matches, the exact total (else null). */
    public record Page(List<PageRow> rows, Total total) {
    }

    public Page page(CatalogQuery query, List<UUID> registryIds) {
        Optional<CatalogSample.Estimate> sampled = nameWalk.estimate(query, registryIds);
        Optional<NameWalk.Plan> walk = sampled.flatMap(estimate -> NameWalk.plan(query, estimate));
        if (walk.isPresent()) {
            Keys walkKeys = NameWalk.walk(query, registryIds, walk.get().bound());
            List<PageRow> walked = rows(walkKeys.sql(), "-1", walkKeys.params(), "sort_name, handle, registry_id")
                    .rows();
            if (walked.size() == query.limit()) {
                return new Page(walked, walk.get().total());
            }
            // the walk ended before the page was full: the index answers (the matches were rarer than
            // the sample said, or the page is the result's last)
        }
        // the trigram window is chosen once: the needle-first route searches the same one
        String window = narrowing.window(query.needle()).orElse(null);
        Where where = where(query, registryIds, window);
        boolean counted = countsWithPage(query, where, sampled);
        String order = query.sort() == CatalogQuery.Sort.NAME ? "sort_name, handle, registry_id" : "handle, registry_id";
        // with tags or a registry, the needle's rows first (see NameWalk.readsNeedleFirst)
        Keys keys = sampled.isPresent() && NameWalk.readsNeedleFirst(query)
                ? NameWalk.needleFirst(query, where(query.onlyNeedle(), List.of(), window),
                        where(query.withoutNeedle(), registryIds, null), counted)
                : keys(query, where, counted, order);
        Counted page = rows(keys.sql(), counted ? "k.matches" : "-1", keys.params(), order);
        Total total = !counted ? null
                : !page.rows().isEmpty() ? new Total(page.matches(), true)
                : query.offset() == 0 ? new Total(0, true)
                : null; // past the end: the page saw no match, so no count either
        return new Page(page.rows(), total);
    }

    /**
     * A page's keys in the sort's order, LIMIT and OFFSET applied, with its parameters: the statement
     * that {@link #rows} reads the page's agents for.
     */
    record Keys(String sql, List<Object> params) {
    }

    /**
     * The keys of a page as PostgreSQL chooses to find them. Without a filter they are read from
     * marketplace_catalog_name_order, which holds the same keys: its primary key in name order (V23),
     * catalog_name_order_by_handle in handle order (V26). A deep offset skips their entries at about a
     * third of the cost of catalog_rows_by_name's or catalog_rows_by_handle's. The keys are the order's
     * columns alone: handle order's index does not carry sort_name, which {@link #rows} reads from the
     * page's rows (V26: a narrower index to skip).
     */
    private static Keys keys(CatalogQuery query, Where where, boolean counted, String order) {
        List<Object> params = new ArrayList<>(where.params());
        String keyset = keyset(query, params);
        params.add(query.limit());
        params.add(query.offset());
        String table = query.hasFilters() ? "marketplace_catalog_rows" : "marketplace_catalog_name_order";
        // count(*) OVER () is computed over every match before LIMIT cuts the page
        return new Keys("""
                SELECT %s%s
                FROM %s
                WHERE %s%s
                ORDER BY %s
                LIMIT ? OFFSET ?
                """.formatted(order, counted ? ", count(*) OVER () AS matches" : "", table, where.sql(), keyset, order),
                params);
    }

    /** A page's rows and the count column's value on them (-1 without one). */
    record Counted(List<PageRow> rows, long matches) {

        /** Reads a page whose rows carry agent, sort_name, handle, registry_id and the count column. */
        static ResultSetExtractor<Counted> reader(String countColumn) {
            return rs -> {
                List<PageRow> page = new ArrayList<>();
                long matches = -1;
                while (rs.next()) {
                    matches = rs.getLong(countColumn);
                    page.add(new PageRow(rs.getString("agent"), rs.getString("sort_name"),
                            rs.getString("handle"), rs.getObject("registry_id", UUID.class)));
                }
                return new Counted(page, matches);
            };
        }
    }

    /** The rows of the page whose keys {@code keys} selects, read in full, with the count column. */
    private Counted rows(String keys, String matchesColumn, List<Object> params, String order) {
        String sql = """
                SELECT (%s)::text AS agent, r.sort_name, k.handle, k.registry_id, %s AS matches
                FROM (%s) k
                JOIN marketplace_catalog_rows r USING (registry_id, handle)
                ORDER BY %s
                """.formatted(ServedAgent.jsonb("r."), matchesColumn, keys, prefixed(order));
        return reads.read(() -> jdbc.sql(sql).params(params).query(Counted.reader("matches")));
    }

    /** The cursor's condition (empty without one); its values are added to {@code params}. */
    static String keyset(CatalogQuery query, List<Object> params) {
        if (query.cursor() == null) {
            return "";
        }
        Cursor c = query.cursor();
        String keyset;
        if (query.sort() == CatalogQuery.Sort.NAME) {
            keyset = " AND (sort_name, handle, registry_id) > (?, ?, ?)";
            params.add(c.sortName());
        } else {
            keyset = " AND (handle, registry_id) > (?, ?)";
        }
        params.add(c.handle());
        params.add(c.registryId());
        return keyset;
    }

    /**
     * Whether the page's statement counts the matches too. A substring filter is found through an
     * index and every match is read to sort them, so the count costs nothing more there, where a
     * separate count read every match again (at 5M rows, {@code q=flat}: 147 ms for the page and
     * 125 ms more for the count, benchmarks/results). Only where the total would be counted on the
     * request anyway: a cursor page counts from the cursor on, and a filter the planner expects to
     * match more than {@code exact-count-max-estimate} rows is walked in name order and stops early.
     * The rows the count reads are those holding the needle: the sample's estimate when there is one
     * (asking the planner costs a round trip, and it estimates {@code LIKE '%needle%'} with a constant),
     * else the planner's.
     */
    private boolean countsWithPage(CatalogQuery query, Where where, Optional<CatalogSample.Estimate> sampled) {
        if (!countsOnRequests || query.needle() == null || query.cursor() != null) {
            return false;
        }
        return sampled.isPresent() ? sampled.get().indexRows() <= maxCountedEstimate : countable(estimate(where));
    }

    /**
     * Exact totals come from counters the worker maintains in the same transaction as the rows
     * (no filter, registry only, one tag only); other filters count within a time budget and fall
     * back to the planner's estimate, flagged as such. A filter the planner expects to match more
     * than {@code marketplace.catalog.exact-count-max-estimate} rows is not counted at all: at 5M rows
     * a common substring's count takes over a second, so trying would only spend the budget.
     */
    public Total total(CatalogQuery query, List<UUID> registryIds) {
        boolean onlyRegistry = query.needle() == null && query.tags().isEmpty() && !query.verified();
        if (!query.hasFilters()) {
            return new Total(catalogTotal(), true);
        }
        if (onlyRegistry && query.registryUrl() != null) {
            return new Total(reads.read(() -> jdbc.sql("""
                            SELECT coalesce(sum(record_count), 0) FROM marketplace_registries WHERE id = ANY (?)
                            """)
                    .param(registryIds.toArray(UUID[]::new)).query(Long.class).single()), true);
        }
        boolean tagsOnly = query.needle() == null && query.registryUrl() == null && !query.verified();
        if (tagsOnly && query.tags().size() == 1) {
            return new Total(reads.read(() -> jdbc.sql("SELECT coalesce(max(agent_count), 0) FROM marketplace_tag_counts WHERE tag = ?")
                    .param(query.tags().get(0)).query(Long.class).single()), true);
        }
        if (tagsOnly && query.tags().size() == 2) {
            return new Total(reads.read(() -> jdbc.sql(TWO_TAGS_TOTAL).params(query.tags().get(0), query.tags().get(1),
                    query.tags().get(0), query.tags().get(1), query.tags().get(0), query.tags().get(1),
                    query.tags().get(0), query.tags().get(1)).query(Long.class).single()), true);
        }
        Where where = where(query, registryIds);
        if (!countsOnRequests) {
            // never count here: the plan's estimate, bounded only against locks
            return new Total(budget.run(() -> planRows(where), PLAN_TIMEOUT).orElseGet(this::catalogTotal), false);
        }
        // one transaction under the budget for both the plan and the count
        long[] estimate = {-1};
        Optional<Total> total = budget.run(() -> {
            estimate[0] = planRows(where);
            if (estimate[0] > maxCountedEstimate) {
                // counting that many rows would take longer than the budget anyway: don't start
                return new Total(estimate[0], false);
            }
            return new Total(jdbc.sql("SELECT count(*) FROM marketplace_catalog_rows WHERE " + where.sql())
                    .params(where.params()).query(Long.class).single(), true);
        });
        if (total.isPresent()) {
            return total.get();
        }
        // out of time for the count: the estimate; not even a plan (the table is locked, say): the whole catalog bounds it
        return new Total(estimate[0] >= 0 ? estimate[0] : catalogTotal(), false);
    }

    /**
     * True when no agent has any of the tags (false for none): no positive counter for any of them
     * (marketplace_tag_counts primary key). The worker changes the counters in the transaction that changes
     * the rows, so the counters one statement sees are those of the rows of its snapshot: a missing counter
     * never hides a committed row. Counters match tags byte for byte, as {@code tags &&} does.
     */
    public boolean noAgentHasAnyOf(List<String> tags) {
        if (tags.isEmpty()) {
            return false;
        }
        return reads.read(() -> jdbc.sql("""
                        SELECT NOT EXISTS (SELECT 1 FROM marketplace_tag_counts WHERE tag = ANY (?) AND agent_count > 0)
                        """)
                .param(tags.toArray(String[]::new)).query(Boolean.class).single());
    }

    private long catalogTotal() {
        return reads.read(() -> jdbc.sql(CATALOG_TOTAL).query(Long.class).single());
    }

    /**
     * The planner's estimate of the rows matching a filter: a plan, no execution (well under a
     * millisecond), but planning waits for table locks like any query, hence the budget.
     *
     * @return empty when not even the plan was ready within the budget
     */
    Optional<Long> estimate(Where where) {
        return budget.run(() -> planRows(where));
    }

    private long planRows(Where where) {
        String plan = jdbc.sql("EXPLAIN (FORMAT JSON) SELECT 1 FROM marketplace_catalog_rows WHERE " + where.sql())
                .params(where.params()).query(String.class).single();
        return json.readTree(plan).get(0).get("Plan").get("Plan Rows").asLong();
    }

    /** A filter the planner expects to match more rows than the limit is answered with an estimate at once. */
    boolean countable(Optional<Long> estimate) {
        return estimate.isPresent() && estimate.get() <= maxCountedEstimate;
    }

    /**
     * The exact total however long it takes (up to {@code timeout}), off the request path, on one core: parallel workers would take the cores that
     * requests need (a count of a million matches kept both cores of a 2-core server busy, and the
     * requests meanwhile waited for them).
     */
    public Optional<Long> backgroundTotal(CatalogQuery query, List<UUID> registryIds, Duration timeout) {
        Where where = where(query, registryIds);
        return budget.run(() -> {
            // is_local = true: for this transaction only
            jdbc.sql("SELECT set_config('max_parallel_workers_per_gather', '0', true)").query(String.class).single();
            return jdbc.sql("SELECT count(*) FROM marketplace_catalog_rows WHERE " + where.sql())
                    .params(where.params()).query(Long.class).single();
        }, timeout);
    }

    record Where(String sql, List<Object> params) {
    }

    Where where(CatalogQuery query, List<UUID> registryIds) {
        return where(query, registryIds, narrowing.window(query.needle()).orElse(null));
    }

    /** @param window the part of the needle the trigram index searches for, or null for all of it */
    static Where where(CatalogQuery query, List<UUID> registryIds, String window) {
        List<String> conditions = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        conditions.add("true");
        if (query.needle() != null && SearchGrams.answers(query.needle())) {
            // One or two code points have no trigram: the gram index answers them (SearchGrams). Rows
            // without grams (not filled yet, or over the grams' budget) are read from their partial index
            // and checked with strpos, so they are never left out. A row with grams holds the needle
            // exactly when the index found it (the worker writes text and grams in one statement), so
            // strpos, which decompresses the text, is skipped there: IS NOT NULL reads only the row's
            // null bitmap (5M rows, q=qj: 10.6 -> 8.0 ms; re-testing the grams array instead took 26 ms).
            // catalog_rows_search_grams OR catalog_rows_search_grams_missing (a bitmap OR of both)
            conditions.add("(search_grams @> ARRAY[?::text] OR search_grams IS NULL)");
            params.add(query.needle());
            conditions.add("(search_grams IS NOT NULL OR strpos(search_text, ?) > 0)");
            params.add(query.needle());
        } else if (query.needle() != null && window != null) {
            // the index searches the needle's rarest window; the rows it finds are checked for the
            // whole needle (strpos is no index condition, so it only rechecks), see SubstringNarrowing
            conditions.add("search_text LIKE ? ESCAPE '\\'"); // catalog_rows_search_trgm
            params.add("%" + escapeLike(window) + "%");
            conditions.add("strpos(search_text, ?) > 0");
            params.add(query.needle());
        } else if (query.needle() != null) {
            conditions.add("search_text LIKE ? ESCAPE '\\'"); // catalog_rows_search_trgm
            params.add("%" + escapeLike(query.needle()) + "%");
        }
        if (!query.tags().isEmpty()) {
            conditions.add("tags && ?::text[]"); // catalog_rows_tags
            params.add(query.tags().toArray(String[]::new));
        }
        if (query.verified()) {
            conditions.add(ServedAgent.VERIFIED); // catalog_rows_verified_by_name, catalog_rows_verified_by_handle
        }
        if (query.registryUrl() != null && registryIds.size() == 1) {
            // One registry (the url key is unique): an equality, so that the planner knows registry_id is
            // constant and walks catalog_rows_by_registry_name (registry_id, sort_name, handle) in output
            // order. "= ANY" hides that and costs a sort of the whole registry (a deep page of a registry
            // of 100,000 rows at 5M: 35-50 ms instead of 1 ms, benchmarks/results).
            conditions.add("registry_id = ?");
            params.add(registryIds.get(0));
        } else if (query.registryUrl() != null) {
            conditions.add("registry_id = ANY (?)"); // catalog_rows_by_registry_name
            params.add(registryIds.toArray(UUID[]::new));
        }
        return new Where(String.join(" AND ", conditions), params);
    }

    /** User text is matched literally: LIKE's own wildcards in it are escaped. */
    static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static String prefixed(String order) {
        return String.join(", ", java.util.Arrays.stream(order.split(", ")).map(c -> "k." + c).toList());
    }

}
