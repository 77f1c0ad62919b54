package io.marketplaceindex.api.catalog;

import io.marketplaceindex.api.web.ApiException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpellingsTest {

    @Test
    void swappedMissingAndExtraLettersAreOneTypo() {
        assertThat(Spellings.distance("pyhton", "python")).isEqualTo(1);
        assertThat(Spellings.distance("sumarizer", "summarizer")).isEqualTo(1);
        assertThat(Spellings.distance("vison", "vision")).isEqualTo(1);
        assertThat(Spellings.distance("imgae", "image")).isEqualTo(1);
        assertThat(Spellings.distance("weather", "leather")).isEqualTo(1);
        assertThat(Spellings.distance("code", "cloud")).isEqualTo(3);
    }

    @Test
    void shortWordsAreNeverCorrectedAndLongOnesToleranceGrows() {
        List<Spellings.Word> dictionary = List.of(new Spellings.Word("tax", 5), new Spellings.Word("python", 9),
                new Spellings.Word("pylon", 1), new Spellings.Word("summarizer", 4), new Spellings.Word("summarize", 2));
        assertThat(Spellings.corrections("tex", dictionary, false)).isEmpty();
        assertThat(Spellings.corrections("pyhton", dictionary, false)).extracting(Spellings.Word::word)
                .containsExactly("python");
        assertThat(Spellings.corrections("sumarizer", dictionary, false)).extracting(Spellings.Word::word)
                .containsExactly("summarizer", "summarize");
        // still being typed: compared with the beginnings of words
        assertThat(Spellings.corrections("sumar", dictionary, true)).extracting(Spellings.Word::word)
                .containsExactly("summarizer", "summarize");
    }

    @Test
    void queryWordsAreRunsOfLettersAndDigitsQuotedAsLexemes() {
        assertThat(RelevanceTerms.of("  Web-Search  v1.2 Café web ").words()).containsExactly("web", "search", "v1", "2", "café");
        assertThat(RelevanceTerms.anyOf(List.of("o'brien", "obrien"), true)).isEqualTo("('o''brien':* | 'obrien':*)");
        assertThatThrownBy(() -> RelevanceTerms.of("a b c d e f g h i")).isInstanceOf(ApiException.class);
    }

    @Test
    void aCommonWordWeighsLessThanARareOne() {
        assertThat(SearchWords.idf(1000, 900)).isLessThan(SearchWords.idf(1000, 3));
        assertThat(SearchWords.idf(1000, 1000)).isPositive();
    }
}
