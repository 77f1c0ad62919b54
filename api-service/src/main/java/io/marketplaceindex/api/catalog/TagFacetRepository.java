package io.marketplaceindex.api.catalog;

import io.marketplaceindex.api.web.ReadBudget;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Tag counts: from the worker's counters without filters, by SQL over the filtered rows otherwise. */
@Repository
class TagFacetRepository {

    private static final RowMapper<TagFacets.Count> COUNT =
            (rs, n) -> new TagFacets.Count(rs.getString("tag"), rs.getLong("n"));

    private final JdbcClient jdbc;
    private final ReadBudget reads;
    private final CountBudget budget;
    private final CatalogRepository catalog;
    private final RelevanceRepository relevance;

    TagFacetRepository(JdbcClient jdbc, ReadBudget reads, CountBudget budget, CatalogRepository catalog,
                       RelevanceRepository relevance) {
        this.jdbc = jdbc;
        this.reads = reads;
        this.budget = budget;
        this.catalog = catalog;
        this.relevance = relevance;
    }

    /** The whole catalog: one row per distinct tag, maintained in the same transaction as the rows. */
    List<TagFacets.Count> all() {
        // marketplace_tag_counts: one row per distinct tag, sorted in memory
        return reads.read(() -> jdbc.sql("""
                        SELECT tag, agent_count AS n FROM marketplace_tag_counts
                        ORDER BY agent_count DESC, tag
                        """)
                .query(COUNT).list());
    }

    /**
     * Counts under q (a substring), registryUrl and verified (the query's tags are ignored by the caller).
     * The rows are narrowed by catalog_rows_search_trgm or catalog_rows_search_grams (q, see
     * CatalogRepository.where), catalog_rows_by_registry_name (registryUrl) and
     * catalog_rows_verified_by_name (verified: it holds the verified rows' tags).
     *
     * @return empty when the budget ran out
     */
    Optional<List<TagFacets.Count>> filtered(CatalogQuery query, List<UUID> registryIds) {
        return counted(catalog.where(query, registryIds));
    }

    /**
     * Counts over the agents holding q's words (match=words), as sort=relevance matches them
     * (catalog_rows_search_vector), under registryUrl and verified: the facets beside a ranked list
     * count the agents it shows.
     *
     * @return empty when the budget ran out
     */
    Optional<List<TagFacets.Count>> matchingWords(CatalogQuery query, List<UUID> registryIds) {
        return counted(relevance.matching(query, registryIds));
    }

    /** Every matching row's tags are unnested: cost grows with the matching rows, hence the budget. */
    private Optional<List<TagFacets.Count>> counted(CatalogRepository.Where where) {
        if (!catalog.countable(catalog.estimate(where))) {
            // unnesting the tags of that many rows cannot finish within the budget (or not even
            // the plan could be made within it)
            return Optional.empty();
        }
        // a row's tags are distinct (the normalizer deduplicates them), so count(*) counts agents. unnest
        // in the select list, not a lateral join: a function scan per row fills a tuplestore for each row
        // (5M rows, the 5,968 rows holding q=qj: 16.3 -> 13.2 ms)
        String sql = """
                SELECT t.tag, count(*) AS n
                FROM (SELECT unnest(r.tags) AS tag FROM marketplace_catalog_rows r WHERE %s) t
                GROUP BY t.tag
                ORDER BY n DESC, t.tag COLLATE "C"
                """.formatted(where.sql());
        return budget.run(() -> jdbc.sql(sql).params(where.params()).query(COUNT).list());
    }
}
