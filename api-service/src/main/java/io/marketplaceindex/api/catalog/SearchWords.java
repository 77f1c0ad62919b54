package io.marketplaceindex.api.catalog;

import io.marketplaceindex.api.web.ReadBudget;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The catalog's dictionary (marketplace_search_words, V20: every word with the number of agents
 * holding it, refreshed by the worker): how rare each word of q is, and what a word the catalog does
 * not hold may have been meant as.
 */
@Component
class SearchWords {

    /** The most common completion of a prefix among its first 200 (primary key range, COLLATE "C"). */
    private static final String PREFIX_COUNT = """
            SELECT max(doc_count) FROM (SELECT doc_count FROM marketplace_search_words
                                        WHERE word >= ? AND word < ? ORDER BY word LIMIT 200) p
            HAVING count(*) > 0
            """;

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
    private final ReadBudget reads;

    SearchWords(JdbcClient jdbc, ReadBudget reads) {
        this.jdbc = jdbc;
        this.reads = reads;
    }

    /**
     * @param tsquery the word and its corrections, OR-ed (as prefixes for the last word)
     * @param idf     BM25's inverse document frequency of the word's most common spelling
     */
    record Term(String tsquery, double idf) {
    }

    List<Term> expand(RelevanceTerms terms) {
        long catalog = Math.max(1, reads.read(() -> jdbc.sql(
                        "SELECT coalesce(sum(record_count), 0) FROM marketplace_registries WHERE enabled")
                .query(Long.class).single()));
        List<Term> expanded = new ArrayList<>();
        for (int i = 0; i < terms.words().size(); i++) {
            String word = terms.words().get(i);
            boolean prefix = i == terms.words().size() - 1;
            Optional<Long> count = docCount(word, prefix);
            List<String> spellings = new ArrayList<>(List.of(word));
            long df = count.orElse(0L);
            if (count.isEmpty()) {
                // unknown to the dictionary: maybe a typo (or a word newer than the last refresh, still matched as typed)
                for (Spellings.Word c : Spellings.corrections(word, candidates(word), prefix)) {
                    spellings.add(c.word());
                    df = Math.max(df, c.docCount());
                }
            }
            expanded.add(new Term(RelevanceTerms.anyOf(spellings, prefix), idf(catalog, df)));
        }
        return expanded;
    }

    /** BM25's idf, never below a small positive weight: a word every agent holds still counts a little. */
    static double idf(long catalog, long docCount) {
        return Math.max(0.01, Math.log(1 + (catalog - docCount + 0.5) / (docCount + 0.5)));
    }

    private Optional<Long> docCount(String word, boolean prefix) {
        if (!prefix) {
            return reads.read(() -> jdbc.sql("SELECT doc_count FROM marketplace_search_words WHERE word = ?") // primary key
                    .param(word).query(Long.class).optional());
        }
        return reads.read(() -> jdbc.sql(PREFIX_COUNT).params(word, upperBound(word)).query(Long.class).optional());
    }

    private List<Spellings.Word> candidates(String word) {
        int allowed = Spellings.allowedDistance(word);
        if (allowed == 0) {
            return List.of();
        }
        String start = word.substring(0, word.offsetByCodePoints(0, 2));
        return reads.read(() -> jdbc.sql(CANDIDATES)
                .params(word, start, upperBound(start), word.length() - allowed, word.length() + allowed + 8)
                .query((rs, n) -> new Spellings.Word(rs.getString("word"), rs.getLong("doc_count"))).list());
    }

    /** The least string above every string starting with {@code prefix}, in byte (COLLATE "C") order. */
    static String upperBound(String prefix) {
        return prefix + Character.toString(Character.MAX_CODE_POINT);
    }
}
