package io.marketplaceindex.bench.read;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RelevanceKindsTest {

    @Test
    void theTypoIsOfTheFrequentWordWhenItIsLongEnough() {
        assertThat(RelevanceKinds.typoBase("Search")).isEqualTo("search");
        // shorter words begin some rare token of a large catalog whatever letter is changed
        String firstLongWord = Vocabulary.WORDS.stream().filter(w -> w.length() >= 6).findFirst().orElseThrow();
        assertThat(RelevanceKinds.typoBase("data")).isEqualTo(firstLongWord);
        assertThat(RelevanceKinds.typoBase("two words")).isEqualTo(firstLongWord);
        assertThat(firstLongWord).hasSizeGreaterThanOrEqualTo(RelevanceKinds.TYPO_MIN_LETTERS);
    }

    @Test
    void theLastWordIsCutAsAUserTypesIt() {
        assertThat(RelevanceKinds.typed("logs")).isEqualTo("log");
        assertThat(RelevanceKinds.typed("tables")).isEqualTo("tabl");
        assertThat(RelevanceKinds.typed("invoices")).isEqualTo("invoi");
        assertThat(RelevanceKinds.typed("ab")).isEqualTo("ab");
    }

    @Test
    void twoWordsAreDistinctMidRankVocabularyWordsInTheirOrder() {
        String rank10 = Vocabulary.WORDS.get(RelevanceKinds.TWO_WORDS_FROM_RANK);
        String rank50 = Vocabulary.WORDS.get(50);
        String tooCommon = Vocabulary.WORDS.get(0);
        String tooRare = Vocabulary.WORDS.get(RelevanceKinds.TWO_WORDS_TO_RANK);
        String text = "Swift Falcon turns " + tooCommon + " " + rank50 + " for analysts. Handles " + tooRare + ", "
                + rank10.toUpperCase() + " and " + rank50 + ".";

        assertThat(RelevanceKinds.vocabularyWords(text)).containsExactly(rank50, rank10);
        assertThat(RelevanceKinds.vocabularyWords(null)).isEmpty();
    }

    @Test
    void theKindsAreRankedCatalogRequestsMarkedExtra() {
        QueryKind kind = QueryKind.catalog("relevance_rare", "q = a rare word, sort=relevance", true, "q", "kaplio",
                "sort", "relevance");

        assertThat(kind.relevance()).isTrue();
        assertThat(kind.extra()).isTrue();
        assertThat(kind.path()).isEqualTo("/api/marketplace?q=kaplio&sort=relevance");
        assertThat(QueryKind.catalog("q_rare", "q = a rare word", false, "q", "kaplio").relevance()).isFalse();
        assertThat(new QueryKind("x", QueryKind.Endpoint.CATALOG, "", Map.of("sort", "name"), false).relevance())
                .isFalse();
    }
}
