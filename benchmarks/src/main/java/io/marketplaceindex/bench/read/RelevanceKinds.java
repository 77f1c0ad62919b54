package io.marketplaceindex.bench.read;

import io.marketplaceindex.bench.support.Log;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The sort=relevance kinds (docs/search.md). Their words are chosen from the loaded catalog and its
 * dictionary (marketplace_search_words), so that each one matches and takes its own path through the
 * service: a frequent word (more matches than the candidate budget), a rare one, the frequent word
 * mistyped (found through the dictionary's corrections), and two words in the other order than an
 * agent holds them, the last one still being typed. The same seed and size give the same words.
 */
final class RelevanceKinds {

    /** The rare word is looked for from the substring kinds' rare word on (q_rare's rank). */
    static final int RARE_RANK = 15_000;
    /** The two words: real words of the vocabulary, past the few that nearly every agent holds. */
    static final int TWO_WORDS_FROM_RANK = 10;
    static final int TWO_WORDS_TO_RANK = 100;
    /** Agents (in primary key order) searched for two such words; the first few nearly always hold them. */
    private static final int AGENTS_SEARCHED = 1_000;

    private RelevanceKinds() {
    }

    /**
     * @param commonWord the substring kinds' frequent word (q_common), here matched as a word
     * @param rareWord   the rare word asked for (--q-rare), or null to choose one from the dictionary
     */
    static List<QueryKind> of(Connection c, String commonWord, String rareWord) throws SQLException {
        if (completions(c, "") == 0) {
            // a database kept (--keep-db) by a benchmark that did not fill the dictionary yet
            Log.info("the dictionary of sort=relevance is empty: filled as the worker's refresh fills it");
            BulkLoader.fillDictionary(c);
        }
        String rare = rareWord != null ? rareWord : rare(c);
        String typo = typo(c, typoBase(commonWord));
        String twoWords = twoWords(c);
        Log.info("sort=relevance words: common '%s', rare '%s', typo '%s', two words '%s'", commonWord, rare, typo,
                twoWords);
        return List.of(
                relevance("relevance_common", "q = a frequent word", commonWord),
                relevance("relevance_rare", "q = a rare word", rare),
                relevance("relevance_typo", "q = the frequent word with one letter changed", typo),
                relevance("relevance_two_words", "q = two words of an agent in reverse order, the last a prefix",
                        twoWords),
                QueryKind.tags("facets_relevance", "tag facets under relevance_two_words' q, match=words", true,
                        "q", twoWords, "match", "words"));
    }

    private static QueryKind relevance(String name, String what, String q) {
        return QueryKind.catalog(name, what + ", sort=relevance", true, "q", q, "sort", "relevance");
    }

    /**
     * The first vocabulary word from {@link #RARE_RANK} on that the catalog holds and that begins no
     * other word of it: as the last word of q it is matched as a prefix, which must not widen it.
     */
    static String rare(Connection c) throws SQLException {
        for (String word : Vocabulary.WORDS.subList(RARE_RANK, Vocabulary.WORDS.size())) {
            if (completions(c, word) == 1 && held(c, word)) {
                return word;
            }
        }
        throw new IllegalStateException("no rare vocabulary word in the dictionary (marketplace_search_words)");
    }

    /**
     * Letters of the word a typo is made in. Corrections apply from 4 letters on, but a catalog's rare
     * tokens begin with every 4-letter (and most 5-letter) beginning at 5M agents, and the typo must
     * begin no word of the catalog (else the dictionary holds it and it is not corrected).
     */
    static final int TYPO_MIN_LETTERS = 6;

    /** The frequent word when it is long enough for a typo, else the first vocabulary word that long. */
    static String typoBase(String commonWord) {
        String word = commonWord.toLowerCase(Locale.ROOT);
        return word.matches("\\p{L}{" + TYPO_MIN_LETTERS + ",}") ? word
                : Vocabulary.WORDS.stream().filter(w -> w.length() >= TYPO_MIN_LETTERS).findFirst().orElseThrow();
    }

    /**
     * The word with one letter replaced, from the third letter on, by each following letter of the
     * alphabet in turn, until the result begins no word of the dictionary: a word the dictionary holds
     * is not corrected. The first two letters stay, as most typos leave them: the service looks for
     * corrections among the words sharing them (and by trigrams).
     */
    static String typo(Connection c, String base) throws SQLException {
        for (int at = 2; at < base.length(); at++) {
            char original = base.charAt(at);
            int from = original >= 'a' && original <= 'z' ? original - 'a' : 0;
            for (int step = 1; step < 26; step++) {
                char letter = (char) ('a' + (from + step) % 26);
                String typo = base.substring(0, at) + letter + base.substring(at + 1);
                if (completions(c, typo) == 0) {
                    return typo;
                }
            }
        }
        throw new IllegalStateException("every one-letter change of '" + base + "' begins a word of the catalog");
    }

    /**
     * The first agent (primary key order) whose description holds two distinct vocabulary words of ranks
     * {@link #TWO_WORDS_FROM_RANK} to {@link #TWO_WORDS_TO_RANK}: the later one, then the beginning of
     * the earlier one as a user types it.
     */
    static String twoWords(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT agent ->> 'description' FROM marketplace_catalog_rows ORDER BY registry_id, handle LIMIT "
                        + AGENTS_SEARCHED)) { // primary key
            while (rs.next()) {
                List<String> words = vocabularyWords(rs.getString(1));
                if (words.size() >= 2) {
                    return words.get(1) + " " + typed(words.get(0));
                }
            }
        }
        throw new IllegalStateException("no agent of the first " + AGENTS_SEARCHED + " holds two vocabulary words");
    }

    /** The distinct words of the text within the two-word ranks, of 4 letters or more, in their order. */
    static List<String> vocabularyWords(String text) {
        List<String> found = new ArrayList<>();
        if (text == null) {
            return found;
        }
        List<String> candidates = Vocabulary.WORDS.subList(TWO_WORDS_FROM_RANK, TWO_WORDS_TO_RANK);
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (word.length() >= 4 && candidates.contains(word) && !found.contains(word)) {
                found.add(word);
            }
        }
        return found;
    }

    /** The beginning of a word as typed before it is finished: a little over half of it, at least 3 letters. */
    static String typed(String word) {
        return word.substring(0, Math.min(word.length(), Math.max(3, (word.length() + 1) / 2 + 1)));
    }

    /** How many words of the dictionary begin with the text (itself included), as the service's prefix lookup reads it. */
    private static long completions(Connection c, String prefix) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM marketplace_search_words WHERE word >= ? AND word < ?")) { // primary key
            ps.setString(1, prefix);
            ps.setString(2, prefix + Character.toString(Character.MAX_CODE_POINT));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static boolean held(Connection c, String word) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM marketplace_search_words WHERE word = ?")) { // primary key
            ps.setString(1, word);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
