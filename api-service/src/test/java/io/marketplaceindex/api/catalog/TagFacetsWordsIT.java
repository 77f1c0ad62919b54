package io.marketplaceindex.api.catalog;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.cache.CatalogGeneration;
import io.marketplaceindex.search.SearchWordsRefresh;
import io.marketplaceindex.testsupport.CatalogSeeder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static io.marketplaceindex.api.catalog.CatalogTagFacetsIT.agent;
import static io.marketplaceindex.api.catalog.CatalogTagFacetsIT.counts;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * GET /api/marketplace/tags?match=words counts the tags of exactly the agents sort=relevance matches
 * for the same q (words in any order, the last one as a prefix), where the substring facets count those
 * holding q as it is typed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TagFacetsWordsIT extends ApiTestSupport {

    private static final String WORDS_URL = "https://words.example.org";
    private static final String OTHER_URL = "https://other.example.org";

    @Autowired
    CatalogGeneration generation;

    @BeforeAll
    void seed() {
        AgentNormalizer normalizer = new AgentNormalizer();
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            UUID words = seeder.registry("Words", WORDS_URL);
            UUID other = seeder.registry("Other", OTHER_URL);
            seeder.agents(words, List.of(
                    agent(normalizer, words, "Words", WORDS_URL, "w-1", "Forecast Weather", "weather", "forecast-api"),
                    agent(normalizer, words, "Words", WORDS_URL, "w-2", "Weather Forecast Pro", "weather", "pro"),
                    agent(normalizer, words, "Words", WORDS_URL, "w-3", "Weatherly forecast board", "dashboard"),
                    agent(normalizer, words, "Words", WORDS_URL, "w-4", "Forecaster", "ml"),
                    agent(normalizer, words, "Words", WORDS_URL, "w-5", "Sunny weather", "weather"),
                    agent(normalizer, words, "Words", WORDS_URL, "w-6", "Broadcast weather", "radio"),
                    agent(normalizer, words, "Words", WORDS_URL, "w-7", "Lantern", "lighting")));
            seeder.agents(other, List.of(
                    agent(normalizer, other, "Other", OTHER_URL, "o-1", "Weather forecast relay", "relay", "weather")));
        }
        SearchWordsRefresh.STATEMENTS.forEach(ApiTestSupport::sql);
        newGeneration(generation);
    }

    @Test
    void wordsInAnyOrderCountWhatTheRankedListMatches() {
        String q = "q=forecast%20weather";
        // substring: only the name that holds the text as typed
        assertThat(counts(get("/api/marketplace/tags?" + q).body()))
                .containsExactly(Map.entry("forecast-api", 1L), Map.entry("weather", 1L));
        // words: either order, and the last word's completions (weatherly)
        Answer words = get("/api/marketplace/tags?" + q + "&match=words");
        assertThat(words.status()).isEqualTo(200);
        assertThat(counts(words.body())).containsExactly(Map.entry("weather", 3L), Map.entry("dashboard", 1L),
                Map.entry("forecast-api", 1L), Map.entry("pro", 1L), Map.entry("relay", 1L));
        JsonNode meta = words.body().get("meta");
        assertThat(meta.get("source").asString()).isEqualTo("query");
        assertThat(meta.get("exact").asBoolean()).isTrue();
        assertThat(meta.get("filtersApplied").get(0).asString()).isEqualTo("q");
        assertThat(sorted(counts(words.body()))).isEqualTo(tagsOfRanked(q));
    }

    @Test
    void aPrefixCountsItsCompletionsUnderRegistryAndVerified() {
        String q = "q=weather%20forec";
        // substring: the text as typed, so not "Forecast Weather"
        assertThat(counts(get("/api/marketplace/tags?" + q).body()))
                .containsExactly(Map.entry("weather", 2L), Map.entry("pro", 1L), Map.entry("relay", 1L));
        Answer words = get("/api/marketplace/tags?" + q + "&match=words");
        assertThat(counts(words.body())).containsExactly(Map.entry("weather", 3L), Map.entry("forecast-api", 1L),
                Map.entry("pro", 1L), Map.entry("relay", 1L));
        assertThat(sorted(counts(words.body()))).isEqualTo(tagsOfRanked(q));

        String inWords = q + "&registryUrl=" + WORDS_URL;
        assertThat(counts(get("/api/marketplace/tags?" + inWords + "&match=words").body()))
                .containsExactly(Map.entry("weather", 2L), Map.entry("forecast-api", 1L), Map.entry("pro", 1L));
        assertThat(sorted(counts(get("/api/marketplace/tags?" + inWords + "&match=words").body())))
                .isEqualTo(tagsOfRanked(inWords));
        // the seeded agents carry no proof: none is verified
        assertThat(get("/api/marketplace/tags?" + q + "&match=words&verified=true").body().get("data")).isEmpty();
        // a tags filter is accepted and not applied, as for the substring facets
        assertThat(counts(get("/api/marketplace/tags?" + q + "&match=words&tags=relay").body()))
                .isEqualTo(counts(words.body()));
    }

    @Test
    void substringStaysTheDefaultAndTheTwoAreCachedApart() {
        String q = "/api/marketplace/tags?q=forecast%20weather";
        assertThat(counts(get(q + "&match=substring").body())).isEqualTo(counts(get(q).body()));
        Answer substring = get(q);
        String etag = substring.raw().headers().firstValue("ETag").orElseThrow();
        assertThat(get(q + "&match=substring", "If-None-Match", etag).status()).isEqualTo(304);

        Answer words = get(q + "&match=words", "If-None-Match", etag);
        assertThat(words.status()).isEqualTo(200);
        assertThat(counts(words.body())).isNotEqualTo(counts(substring.body()));
        Answer again = get(q + "&match=words");
        assertThat(again.body().get("meta").get("cache").asString()).isEqualTo("hit");
        assertThat(again.body().get("data")).isEqualTo(words.body().get("data"));
        assertThat(again.raw().headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etag);
        assertThat(counts(get(q).body())).isEqualTo(counts(substring.body()));
    }

    @Test
    void refusesAnotherMatchAndWordsWithoutQ() {
        for (String bad : List.of("q=weather&match=fuzzy", "match=words", "q=%20&match=words", "q=!!&match=words",
                "q=a%20b%20c%20d%20e%20f%20g%20h%20i&match=words")) {
            Answer answer = get("/api/marketplace/tags?" + bad);
            assertThat(answer.status()).as(bad).isEqualTo(400);
            assertThat(answer.body().get("error").asString()).as(bad).isNotBlank();
        }
        assertThat(get("/api/marketplace/tags?q=weather&match=fuzzy").body().get("error").asString())
                .contains("match");
        assertThat(get("/api/marketplace/tags?match=words").body().get("error").asString()).contains("q");
    }

    /** The tags of every agent sort=relevance answers for the query, counted, by tag. */
    private Map<String, Long> tagsOfRanked(String query) {
        Answer ranked = get("/api/marketplace?sort=relevance&limit=200&" + query);
        assertThat(ranked.status()).isEqualTo(200);
        assertThat(ranked.body().get("meta").get("totalExact").asBoolean()).isTrue();
        Map<String, Long> counts = new TreeMap<>();
        ranked.body().get("data").forEach(a -> a.get("tags").forEach(t -> counts.merge(t.asString(), 1L, Long::sum)));
        assertThat(counts).isNotEmpty();
        return counts;
    }

    private static Map<String, Long> sorted(Map<String, Long> counts) {
        return new TreeMap<>(counts);
    }
}
