package io.marketplaceindex.agent;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SearchGramsTest {

    private static final String US = String.valueOf(AgentIndexFields.SEPARATOR);

    @Test
    void distinctUnigramsAndBigramsSorted() {
        assertThat(SearchGrams.of("abab")).containsExactly("a", "ab", "b", "ba");
    }

    @Test
    void neverAcrossTheSeparator() {
        List<String> grams = SearchGrams.of("ab" + US + "cd");
        assertThat(grams).containsExactlyInAnyOrder("a", "ab", "b", "c", "cd", "d");
        assertThat(grams).noneMatch(g -> g.contains(US));
        assertThat(grams).doesNotContain("bc");
    }

    @Test
    void anEmojiIsOneCodePointNotTwoHalves() {
        String rocket = "\uD83D\uDE80"; // U+1F680, a surrogate pair in UTF-16
        List<String> grams = SearchGrams.of("a" + rocket + "b");
        assertThat(grams).containsExactlyInAnyOrder("a", rocket, "b", "a" + rocket, rocket + "b");
        assertThat(grams).noneMatch(g -> g.equals("\uD83D") || g.equals("\uDE80"));
        assertThat(SearchGrams.answers(rocket)).isTrue();
        assertThat(SearchGrams.answers(rocket + rocket)).isTrue();
        assertThat(SearchGrams.answers(rocket + rocket + rocket)).isFalse();
    }

    @Test
    void aCombiningMarkIsACodePointOfItsOwn() {
        String decomposed = "e\u0301"; // é as e + COMBINING ACUTE ACCENT
        assertThat(SearchGrams.of("caf" + decomposed))
                .contains("e\u0301", "\u0301", "fe").doesNotContain("é");
        // the precomposed é is a different code point, as it is for String.contains
        assertThat(SearchGrams.of("café")).contains("é", "fé").doesNotContain("\u0301");
    }

    @Test
    void nonLatinAndPunctuation() {
        assertThat(SearchGrams.of("数据分")).containsExactlyInAnyOrder("数", "据", "分", "数据", "据分");
        assertThat(SearchGrams.of("a, b")).contains(",", ", ", " b", "a,");
    }

    @Test
    void answersNeedlesOfOneOrTwoCodePoints() {
        assertThat(SearchGrams.answers("a")).isTrue();
        assertThat(SearchGrams.answers("ab")).isTrue();
        assertThat(SearchGrams.answers("abc")).isFalse();
        assertThat(SearchGrams.answers("")).isFalse();
    }

    @Test
    void overTheBudgetNoGramsAtAll() {
        StringBuilder text = new StringBuilder();
        // every code point new: one unigram and one bigram each
        for (int cp = 0x4E00; text.codePointCount(0, text.length()) < AgentBudgets.SEARCH_GRAMS / 2 + 1; cp++) {
            text.appendCodePoint(cp);
        }
        assertThat(SearchGrams.of(text.toString())).isNull();
        String within = text.substring(0, text.offsetByCodePoints(0, AgentBudgets.SEARCH_GRAMS / 2 - 1));
        assertThat(SearchGrams.of(within)).hasSize(AgentBudgets.SEARCH_GRAMS - 3);
    }

    @Test
    void theLargestTextTheBudgetsAllowOfOrdinaryWordsStaysFarBelowTheBudget() {
        String words = "the quick brown fox jumps over the lazy dog ".repeat(100);
        assertThat(SearchGrams.of(words)).hasSizeLessThan(200);
    }

    /**
     * The property the API relies on: for a needle of one or two code points (lower-cased as a needle is),
     * the text contains it exactly when it is one of the text's grams.
     */
    @Property(tries = 2000)
    void aShortNeedleMatchesExactlyWhenItIsAGram(
            @ForAll @StringLength(max = 40) @CharRange(from = 'a', to = 'd') @CharRange(from = '\u001e', to = '\u0020')
            @CharRange(from = '\u0300', to = '\u0301') @CharRange(from = '\uD83D', to = '\uD83D')
            @CharRange(from = '\uDE80', to = '\uDE81') String raw,
            @ForAll @StringLength(min = 1, max = 4) @CharRange(from = 'a', to = 'd') @CharRange(from = ' ', to = ' ')
            @CharRange(from = '\u0301', to = '\u0301') @CharRange(from = '\uD83D', to = '\uD83D')
            @CharRange(from = '\uDE80', to = '\uDE80') String rawNeedle) {
        String text = wellFormed(raw);
        String needle = AgentIndexFields.searchNeedle(wellFormed(rawNeedle));
        if (!SearchGrams.answers(needle) || text.isEmpty()) {
            return;
        }
        List<String> grams = SearchGrams.of(text);
        boolean matches = false;
        for (String field : text.split(US, -1)) {
            matches |= field.contains(needle);
        }
        assertThat(grams.contains(needle)).as("needle %s in %s", needle, text).isEqualTo(matches);
        assertThat(text.contains(needle)).isEqualTo(matches);
    }

    /** PostgreSQL stores no unpaired surrogate (the normalizer drops them): neither do these texts. */
    private static String wellFormed(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (!Character.isSurrogate((char) cp) || Character.isSupplementaryCodePoint(cp)) {
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }
}
