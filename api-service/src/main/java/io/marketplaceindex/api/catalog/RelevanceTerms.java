package io.marketplaceindex.api.catalog;

import io.marketplaceindex.api.web.ApiException;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The words of {@code q} for {@code match=words}: split at anything that is not a letter or digit
 * and lower-cased, as the 'simple' text search configuration splits and lower-cases the agents'
 * fields (V20 search_vector), so that a word of the query is a lexeme of the index. The last word is
 * matched as a prefix: the user may still be typing it.
 *
 * @param words the distinct words in the order typed; the last one is the prefix
 */
public record RelevanceTerms(List<String> words) {

    /** More words narrow a result no further in practice, and each costs a dictionary lookup. */
    public static final int MAX_WORDS = 8;
    private static final Pattern SEPARATORS = Pattern.compile("[^\\p{L}\\p{N}]+");

    public static RelevanceTerms of(String q) {
        List<String> words = List.copyOf(Arrays.stream(SEPARATORS.split(q.toLowerCase(Locale.ROOT)))
                .filter(w -> !w.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new)));
        if (words.size() > MAX_WORDS) {
            throw ApiException.badRequest("q has more than " + MAX_WORDS + " words; sort=relevance matches at most "
                    + MAX_WORDS);
        }
        return new RelevanceTerms(words);
    }

    /**
     * Validates {@code match} against the sort: {@code words} goes with {@code sort=relevance} (its
     * default), {@code substring} (the default otherwise) with {@code sort=name|handle}.
     */
    static void checkMatch(String match, CatalogQuery query) {
        String m = match == null || match.isBlank() ? null : match.trim();
        if (m != null && !m.equals("words") && !m.equals("substring")) {
            throw ApiException.badRequest("match must be 'words' or 'substring'");
        }
        boolean relevance = query.sort() == CatalogQuery.Sort.RELEVANCE;
        if (relevance && query.q() == null) {
            throw ApiException.badRequest("sort=relevance ranks the matches of q: pass q, or sort by name or handle");
        }
        if (relevance && "substring".equals(m)) {
            throw ApiException.badRequest("sort=relevance matches words (match=words); match=substring sorts by name"
                    + " or handle");
        }
        if (!relevance && "words".equals(m)) {
            throw ApiException.badRequest("match=words is ranked: use it with sort=relevance");
        }
        if (relevance && of(query.q()).words().isEmpty()) {
            throw ApiException.badRequest("q has no word (letters or digits) to rank by");
        }
    }

    /** A lexeme as tsquery text: quoted, so that nothing in it is read as an operator. */
    static String lexeme(String word, boolean prefix) {
        return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'" + (prefix ? ":*" : "");
    }

    /** A word matched by any of its spellings: the typed one and the dictionary's corrections. */
    static String anyOf(List<String> spellings, boolean prefix) {
        return "(" + spellings.stream().map(s -> lexeme(s, prefix)).collect(Collectors.joining(" | ")) + ")";
    }
}
