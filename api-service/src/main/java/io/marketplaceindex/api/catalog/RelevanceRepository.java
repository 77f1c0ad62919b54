package io.marketplaceindex.api.catalog;

import io.marketplaceindex.api.web.ReadBudget;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * sort=relevance: the agents holding every word of q (any order; the last word as a prefix; each
 * word also by its dictionary corrections, {@link Spellings}), ranked by where the words occur and
 * how rare they are. The score is a sum over the words of idf(word) * ts_rank(field weights,
 * search_vector, word): a name counts 1.0, a tag 0.4, the description 0.2, the author 0.1 (V20 gives
 * the fields the weights A to D), and idf is BM25's, from the dictionary's document counts. Ties
 * go by name, handle and registry id, so that pages never overlap.
 *
 * <p>Only the first {@code marketplace.search.relevance-candidates} matches the word index finds are
 * ranked (docs/search.md): the cost of a page is bounded whatever the words. "First" is storage order,
 * from the table's first page: see {@link #FROM_THE_FIRST_PAGE}.
 */
@Repository
public class RelevanceRepository {

    /** ts_rank's weights, in its order D, C, B, A: author, description, tags, name. */
    private static final String WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'";

    private static final String PAGE = """
            WITH candidates AS (
                SELECT registry_id, handle, sort_name, search_vector
                FROM marketplace_catalog_rows
                WHERE %1$s  -- catalog_rows_search_vector
                LIMIT ?),
            ranked AS (
                SELECT registry_id, handle, sort_name, count(*) OVER () AS matched, %2$s AS score
                FROM candidates c)
            SELECT (%3$s)::text AS agent, k.sort_name, k.handle, k.registry_id, k.matched
            FROM (SELECT * FROM ranked
                  ORDER BY score DESC, sort_name, handle, registry_id
                  LIMIT ? OFFSET ?) k
            JOIN marketplace_catalog_rows r USING (registry_id, handle)  -- primary key
            ORDER BY k.score DESC, k.sort_name, k.handle, k.registry_id
            """;

    private static final String COUNT = """
            SELECT count(*) FROM (SELECT 1 FROM marketplace_catalog_rows
                                  WHERE %1$s  -- catalog_rows_search_vector
                                  LIMIT ?) c
            """;

    /**
     * All of q, for the rows the index found by the words it can intersect. A function call, not the
     * operator: the planner does not look an open prefix up in the index, it checks it on each row.
     */
    private static final String RECHECK = " AND ts_match_vq(search_vector, ?::tsquery)";

    /**
     * A broad query's candidates are found by a sequential scan that stops at the budget. With
     * synchronized scans (on by default) a scan of a table larger than a quarter of shared_buffers
     * starts where the last one stopped, so each request would rank a different slice of the matches:
     * at 5M agents three identical requests for q=reqorts ranked three disjoint sets, and offsets paged
     * through sets that overlapped. Off for this transaction, the scan starts at the first page: the
     * same rows while the catalog is unchanged, and pages that stay in the OS's cache. A parallel scan
     * would hand out its rows in any order, so none (a budget of rows never needs one).
     */
    private static final List<ReadBudget.Setting> FROM_THE_FIRST_PAGE = List.of(
            new ReadBudget.Setting("synchronize_seqscans", "off"),
            new ReadBudget.Setting("max_parallel_workers_per_gather", "0"));

    private final JdbcClient jdbc;
    private final ReadBudget reads;
    private final SearchWords words;
    private final int candidates;

    RelevanceRepository(JdbcClient jdbc, ReadBudget reads, SearchWords words, RelevanceProperties properties) {
        this.jdbc = jdbc;
        this.reads = reads;
        this.words = words;
        this.candidates = properties.relevanceCandidates();
    }

    public record Page(List<CatalogRepository.PageRow> rows, CatalogRepository.Total total) {
    }

    public Page page(CatalogQuery query, List<UUID> registryIds) {
        // the dictionary's lookups and the ranking in one transaction (see SearchWords)
        Ranked ranked = reads.read(FROM_THE_FIRST_PAGE, () -> {
            List<SearchWords.Term> expanded = words.expand(RelevanceTerms.of(query.q()));
            CatalogRepository.Where where = matching(expanded, query, registryIds);
            List<Object> params = new ArrayList<>(where.params());
            params.add(candidates);
            for (SearchWords.Term term : expanded) {
                params.add(term.idf());
                params.add(term.tsquery());
            }
            params.add(query.limit());
            params.add(query.offset());
            String sql = PAGE.formatted(where.sql(), score(expanded.size()), ServedAgent.jsonb("r."));
            return new Ranked(where, jdbc.sql(sql).params(params).query(CatalogRepository.Counted.reader("matched")));
        });
        long matched = ranked.page().matches();
        if (matched < 0) {
            // past the last match: count them (as bounded as the ranking, and of the same rows)
            List<Object> params = new ArrayList<>(ranked.where().params());
            params.add(candidates);
            matched = reads.read(FROM_THE_FIRST_PAGE, () -> jdbc.sql(COUNT.formatted(ranked.where().sql()))
                    .params(params).query(Long.class).single());
        }
        // as many matches as the budget: there may be more than were ranked
        return new Page(ranked.page().rows(), new CatalogRepository.Total(matched, matched < candidates));
    }

    /**
     * The score of a candidate, one term per word: idf * ts_rank, summed. Written out rather than summed
     * over unnested arrays, which ran a subquery with a function scan per candidate. ts_rank rather than
     * ts_rank_cd: for a term of one word (or its alternatives: completions, corrections) both score the
     * weights of the fields it occurs in, and the relevance set scores the same with either (nDCG@10
     * 0.951, MRR 0.967), but ts_rank_cd also looks for covers of the query in the text. At 5M agents,
     * 1,000 candidates of two words: 11.4 ms as a subquery with ts_rank_cd, 10.8 written out, 8.6 with
     * ts_rank.
     */
    private static String score(int words) {
        return String.join(" + ", Collections.nCopies(words,
                "?::float8 * ts_rank(" + WEIGHTS + ", c.search_vector, ?::tsquery)"));
    }

    /** A ranked page with the filter that found its candidates. */
    private record Ranked(CatalogRepository.Where where, CatalogRepository.Counted page) {
    }

    /**
     * Every agent sort=relevance would rank for the query (all of them, not only the first candidates):
     * what the tag facets count under match=words.
     */
    CatalogRepository.Where matching(CatalogQuery query, List<UUID> registryIds) {
        return matching(reads.read(() -> words.expand(RelevanceTerms.of(query.q()))), query, registryIds);
    }

    /** The rows holding q's expanded words (catalog_rows_search_vector) under tags, registryUrl and verified. */
    private static CatalogRepository.Where matching(List<SearchWords.Term> expanded, CatalogQuery query,
                                                    List<UUID> registryIds) {
        String all = and(expanded);
        // An open prefix (too many completions to name) goes to the index only when nothing else of q can:
        // the index would read all of its postings; the other words narrow the rows, the prefix rechecks them.
        List<SearchWords.Term> named = expanded.stream().filter(t -> !t.open()).toList();
        String lookup = named.isEmpty() ? all : and(named);
        List<Object> params = new ArrayList<>(List.of(lookup));
        String sql = "search_vector @@ ?::tsquery";
        if (!lookup.equals(all)) {
            sql += RECHECK;
            params.add(all);
        }
        // tags, registryUrl and verified as for the other sorts; q is matched by words here instead
        CatalogRepository.Where filters = CatalogRepository.where(query.withoutNeedle(), registryIds, null);
        params.addAll(filters.params());
        return new CatalogRepository.Where(sql + " AND " + filters.sql(), params);
    }

    private static String and(List<SearchWords.Term> terms) {
        return String.join(" & ", terms.stream().map(SearchWords.Term::tsquery).toList());
    }
}
