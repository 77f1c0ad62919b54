package io.marketplaceindex.api.catalog;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The catalog's dictionary (marketplace_search_words, V20: every word with the number of agents
 * holding it, refreshed by the worker): how rare each word of q is, and what a word the catalog does
 * not hold may have been meant as.
 * <p>
 * Its lookups run in the caller's read ({@link io.marketplaceindex.api.web.ReadBudget}): a ranked page
 * reads the dictionary and ranks in one transaction, without a transaction (a time budget, a commit:
 * three round trips) per lookup.
 */
@Component
class SearchWords {

    /**
     * The completions of a prefix: its first {@link #COMPLETIONS_READ} dictionary words in word order
     * (primary key range, COLLATE "C").
     */
    private static final String COMPLETIONS = """
            SELECT word, doc_count FROM marketplace_search_words
            WHERE word >= ? AND word < ? ORDER BY word LIMIT ?
            """;

    /** Completions read per prefix: the most common of them gives the prefix its rarity. */
    static final int COMPLETIONS_READ = 200;

    /**
     * A prefix with at most this many completions is looked up as those words. The word index finds a
     * prefix (':*') by reading every matching word's postings into a bitmap before it can intersect
     * them with the other words; named words it intersects as it reads, skipping what the rarer word
     * excludes (q=filtered emai at 1M agents: 20 ms as a prefix, 1.4 ms as its two completions).
     */
    static final int MAX_EXPANDED = 50;

    /**
     * Correction candidates: similar by trigrams (search_words_trgm), and the words sharing the first
     * two letters within the length a typo allows (primary key range), which trigrams miss for short
     * words whose letters are swapped ("pyhton"). Words with digits are no corrections (identifiers,
     * versions: most of a catalog's distinct words), which keeps the trigram index small (V20).
     */
    private static final String CANDIDATES = """
            (SELECT word, doc_count FROM marketplace_search_words WHERE word % ? AND word !~ '[0-9]' LIMIT 200)
            UNION
            (SELECT word, doc_count FROM marketplace_search_words
             WHERE word >= ? AND word < ? AND length(word) BETWEEN ? AND ? AND word !~ '[0-9]'
             ORDER BY word LIMIT 1000)
            """;

    private final JdbcClient jdbc;

    SearchWords(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * @param tsquery the word and its corrections, or the prefix and its completions, OR-ed
     * @param idf     BM25's inverse document frequency of the word's most common spelling
     * @param open    holds a prefix matched as such (':*'): too many completions to name, or a
     *                correction of a prefix; the word index cannot intersect it cheaply
     */
    record Term(String tsquery, double idf, boolean open) {
    }

    List<Term> expand(RelevanceTerms terms) {
        long catalog = Math.max(1, jdbc.sql(CatalogRepository.CATALOG_TOTAL).query(Long.class).single());
        List<Term> expanded = new ArrayList<>();
        for (int i = 0; i < terms.words().size(); i++) {
            String word = terms.words().get(i);
            expanded.add(i == terms.words().size() - 1 ? prefix(catalog, word) : word(catalog, word));
        }
        return expanded;
    }

    private Term word(long catalog, String word) {
        Optional<Long> count = jdbc.sql("SELECT doc_count FROM marketplace_search_words WHERE word = ?") // primary key
                .param(word).query(Long.class).optional();
        return count.map(df -> new Term(RelevanceTerms.anyOf(List.of(word), false), idf(catalog, df), false))
                .orElseGet(() -> corrected(catalog, word, false));
    }

    private Term prefix(long catalog, String word) {
        List<Spellings.Word> completions = jdbc.sql(COMPLETIONS)
                .params(word, upperBound(word), COMPLETIONS_READ)
                .query((rs, n) -> new Spellings.Word(rs.getString("word"), rs.getLong("doc_count"))).list();
        if (completions.isEmpty()) {
            return corrected(catalog, word, true);
        }
        long df = completions.stream().mapToLong(Spellings.Word::docCount).max().orElseThrow();
        if (completions.size() > MAX_EXPANDED) {
            return new Term(RelevanceTerms.anyOf(List.of(word), true), idf(catalog, df), true);
        }
        // the typed text stays a word of its own: a word newer than the dictionary is still found once typed
        Set<String> spellings = new LinkedHashSet<>(List.of(word));
        completions.forEach(c -> spellings.add(c.word()));
        return new Term(RelevanceTerms.anyOf(List.copyOf(spellings), false), idf(catalog, df), false);
    }

    /** A word the dictionary does not hold: maybe a typo, or a word newer than the last refresh (kept as typed). */
    private Term corrected(long catalog, String word, boolean prefix) {
        List<String> spellings = new ArrayList<>(List.of(word));
        long df = 0;
        for (Spellings.Word c : Spellings.corrections(word, candidates(word), prefix)) {
            spellings.add(c.word());
            df = Math.max(df, c.docCount());
        }
        return new Term(RelevanceTerms.anyOf(spellings, prefix), idf(catalog, df), prefix);
    }

    /** BM25's idf, never below a small positive weight: a word every agent holds still counts a little. */
    static double idf(long catalog, long docCount) {
        return Math.max(0.01, Math.log(1 + (catalog - docCount + 0.5) / (docCount + 0.5)));
    }

    private List<Spellings.Word> candidates(String word) {
        int allowed = Spellings.allowedDistance(word);
        if (allowed == 0) {
            return List.of();
        }
        String start = word.substring(0, word.offsetByCodePoints(0, 2));
        return jdbc.sql(CANDIDATES)
                .params(word, start, upperBound(start), word.length() - allowed, word.length() + allowed + 8)
                .query((rs, n) -> new Spellings.Word(rs.getString("word"), rs.getLong("doc_count"))).list();
    }

    /** The least string above every string starting with {@code prefix}, in byte (COLLATE "C") order. */
    static String upperBound(String prefix) {
        return prefix + Character.toString(Character.MAX_CODE_POINT);
    }
}
