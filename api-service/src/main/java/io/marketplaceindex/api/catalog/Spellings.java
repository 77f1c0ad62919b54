package io.marketplaceindex.api.catalog;

import java.util.Comparator;
import java.util.List;

/**
 * Which words of the catalog's dictionary a query word may have meant: small typos (a letter
 * missing, extra, wrong, or two neighbours swapped) counted as an optimal string alignment distance.
 * Short words tolerate none (too many words are one letter apart from them), 4 to 7 letters one,
 * longer ones two.
 */
final class Spellings {

    /** Corrections kept per word: enough for the common misspellings, few enough to keep the tsquery small. */
    static final int MAX_CORRECTIONS = 3;

    private Spellings() {
    }

    /** A dictionary word with the number of agents holding it. */
    record Word(String word, long docCount) {
    }

    static int allowedDistance(String word) {
        int n = word.codePointCount(0, word.length());
        return n < 4 ? 0 : n < 8 ? 1 : 2;
    }

    /**
     * The candidates within the allowed distance, nearest first, then the most common, then by word.
     *
     * @param prefix the word is still being typed: it is compared with the beginning of each candidate
     */
    static List<Word> corrections(String typed, List<Word> candidates, boolean prefix) {
        int allowed = allowedDistance(typed);
        if (allowed == 0) {
            return List.of();
        }
        record Scored(Word word, int distance) {
        }
        return candidates.stream()
                .filter(c -> !c.word().equals(typed))
                .map(c -> new Scored(c, prefix ? prefixDistance(typed, c.word()) : distance(typed, c.word())))
                .filter(s -> s.distance() <= allowed)
                .sorted(Comparator.comparingInt(Scored::distance)
                        .thenComparing(s -> -s.word().docCount())
                        .thenComparing(s -> s.word().word()))
                .limit(MAX_CORRECTIONS)
                .map(Scored::word)
                .toList();
    }

    /** The distance of the typed text to the nearest beginning of {@code word} (one letter shorter to one longer). */
    static int prefixDistance(String typed, String word) {
        int best = Integer.MAX_VALUE;
        for (int len = typed.length() - 1; len <= typed.length() + 1; len++) {
            if (len > 0 && len <= word.length()) {
                best = Math.min(best, distance(typed, word.substring(0, len)));
            }
        }
        return best;
    }

    /** Optimal string alignment distance (Levenshtein with adjacent transpositions), over UTF-16 units. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
