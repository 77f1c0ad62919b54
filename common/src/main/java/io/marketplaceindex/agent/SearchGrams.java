package io.marketplaceindex.agent;

import java.util.List;
import java.util.TreeSet;

/**
 * The distinct one- and two-code-point grams of a row's {@link AgentIndexFields#searchText} (column
 * {@code marketplace_catalog_rows.search_grams}, GIN index {@code catalog_rows_search_grams}): what
 * answers a {@code q} of one or two code points, which the trigram index cannot narrow.
 *
 * <p>Exact by construction: the text is already lower-cased and a needle is lower-cased the same way
 * ({@link AgentIndexFields#searchNeedle}), so a needle of one or two code points occurs in the text exactly
 * when it is one of its grams. Grams are code points, not UTF-16 units (an emoji or any character outside
 * the Basic Multilingual Plane is one gram, never half of one), and never span
 * {@link AgentIndexFields#SEPARATOR}: a needle cannot contain it, so a gram across two fields could never
 * be asked for, and must not be, since the needle does not match across fields either. A combining mark is
 * a code point of its own: "é" written as e + U+0301 gives the grams "e", U+0301 and "e\u0301", as
 * {@code contains} sees it.
 *
 * <p>Budget: at most {@link AgentBudgets#SEARCH_GRAMS} grams. The text's own budgets bound it already
 * (about 4,100 code points, so at most about 8,200 grams: one unigram and one bigram per code point); an
 * ordinary agent has 100–300. A text with more distinct grams than the budget gets none ({@code null}):
 * such a row is left out of the gram index and treated like a row not filled yet, i.e. always read and
 * rechecked for a short needle (catalog_rows_search_grams_missing), never wrongly excluded.
 */
public final class SearchGrams {

    /** The longest needle, in code points, the grams answer; longer ones go to the trigram index. */
    public static final int MAX_NEEDLE_CODE_POINTS = 2;

    private SearchGrams() {
    }

    /**
     * @param searchText a row's {@link AgentIndexFields#searchText}
     * @return its distinct grams, sorted; null when there are more than {@link AgentBudgets#SEARCH_GRAMS}
     */
    public static List<String> of(String searchText) {
        TreeSet<String> grams = new TreeSet<>();
        int previous = -1;
        for (int i = 0; i < searchText.length(); ) {
            int codePoint = searchText.codePointAt(i);
            i += Character.charCount(codePoint);
            if (codePoint == AgentIndexFields.SEPARATOR) {
                previous = -1;
                continue;
            }
            grams.add(Character.toString(codePoint));
            if (previous >= 0) {
                grams.add(new StringBuilder(4).appendCodePoint(previous).appendCodePoint(codePoint).toString());
            }
            if (grams.size() > AgentBudgets.SEARCH_GRAMS) {
                return null;
            }
            previous = codePoint;
        }
        return List.copyOf(grams);
    }

    /**
     * Whether the grams answer a needle: one of one or two code points.
     *
     * @param needle a {@link AgentIndexFields#searchNeedle search needle}
     */
    public static boolean answers(String needle) {
        int codePoints = needle.codePointCount(0, needle.length());
        return codePoints >= 1 && codePoints <= MAX_NEEDLE_CODE_POINTS;
    }
}
