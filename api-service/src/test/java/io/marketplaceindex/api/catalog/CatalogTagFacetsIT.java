package io.marketplaceindex.api.catalog;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.RegistryRef;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.cache.CatalogGeneration;
import io.marketplaceindex.testsupport.CatalogSeeder;
import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** GET /api/marketplace/tags against real PostgreSQL and Redis. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogTagFacetsIT extends ApiTestSupport {

    private static final String ALPHA_URL = "https://alpha.example.org/reg";
    private static final String BETA_URL = "https://beta.example.org";

    @Autowired
    CatalogGeneration generation;

    @BeforeAll
    void seed() {
        AgentNormalizer normalizer = new AgentNormalizer();
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            UUID alpha = seeder.registry("Alpha", ALPHA_URL);
            UUID beta = seeder.registry("Beta", BETA_URL);
            List<ObjectNode> alphaAgents = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                // 10 zeta agents: 5 translation, 5 search; every alpha agent is "shared"
                alphaAgents.add(agent(normalizer, alpha, "Alpha", ALPHA_URL, "alpha-%02d".formatted(i),
                        i % 3 == 0 ? "Zeta " + i : "helper " + i, i % 2 == 0 ? "translation" : "search", "shared"));
            }
            seeder.agents(alpha, alphaAgents);
            List<ObjectNode> betaAgents = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                betaAgents.add(agent(normalizer, beta, "Beta", BETA_URL, "beta-%02d".formatted(i), "Beta " + i,
                        i % 4 == 0 ? "finance" : "code-review", "shared"));
            }
            seeder.agents(beta, betaAgents);
        }
        generation.poll();
    }

    /** A normalized agent of a record with these capabilities and a card with this name (also for UnknownTagsIT). */
    static ObjectNode agent(AgentNormalizer normalizer, UUID registryId, String registryName, String url,
                            String handle, String name, String... tags) {
        ObjectNode record = JSON.createObjectNode()
                .put("schema", "hive-registry-record-v1").put("handle", handle)
                .put("updatedAt", "2026-11-01T00:00:00Z").put("agentCardUrl", url + "/cards/" + handle);
        var capabilities = record.putArray("capabilities");
        for (String tag : tags) {
            capabilities.add(tag);
        }
        ObjectNode card = JSON.createObjectNode().put("name", name);
        return normalizer.normalize(record, card, new RegistryRef(registryId.toString(), registryName, url)).orElseThrow();
    }

    @Test
    void withoutFiltersAnswersTheCountersMostFrequentFirst() {
        Answer answer = get("/api/marketplace/tags");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(counts(answer.body())).containsExactly(
                Map.entry("shared", 50L), Map.entry("code-review", 15L), Map.entry("search", 15L),
                Map.entry("translation", 15L), Map.entry("finance", 5L));
        assertThat(answer.body().get("total").asInt()).isEqualTo(5);
        JsonNode meta = answer.body().get("meta");
        assertThat(meta.get("exact").asBoolean()).isTrue();
        assertThat(meta.get("source").asString()).isEqualTo("counters");
        assertThat(meta.get("tagsFilterApplied").asBoolean()).isFalse();
        assertThat(meta.get("filtersApplied")).isEmpty();
        assertThat(meta.get("generation").asLong()).isEqualTo(generation.current());
    }

    @Test
    void countsUnderQAndRegistryUrlButNotUnderTags() {
        Answer zeta = get("/api/marketplace/tags?q=ZETA");
        assertThat(counts(zeta.body())).containsExactly(
                Map.entry("shared", 10L), Map.entry("search", 5L), Map.entry("translation", 5L));
        assertThat(zeta.body().get("meta").get("source").asString()).isEqualTo("query");
        assertThat(strings(zeta.body().get("meta").get("filtersApplied"))).containsExactly("q");

        Answer beta = get("/api/marketplace/tags?registryUrl=" + BETA_URL + "//");
        assertThat(counts(beta.body())).containsExactly(
                Map.entry("shared", 20L), Map.entry("code-review", 15L), Map.entry("finance", 5L));

        // the tags filter leaves every value of the facet visible
        assertThat(counts(get("/api/marketplace/tags?tags=finance").body()))
                .isEqualTo(counts(get("/api/marketplace/tags").body()));
        Answer alphaFinance = get("/api/marketplace/tags?registryUrl=" + ALPHA_URL + "&tags=finance&q=helper");
        assertThat(counts(alphaFinance.body())).containsExactly(
                Map.entry("shared", 20L), Map.entry("search", 10L), Map.entry("translation", 10L));
        assertThat(strings(alphaFinance.body().get("meta").get("filtersApplied"))).containsExactly("q", "registryUrl");
        assertThat(alphaFinance.body().get("meta").get("tagsFilterApplied").asBoolean()).isFalse();

        Answer nowhere = get("/api/marketplace/tags?registryUrl=https://nowhere.example");
        assertThat(nowhere.body().get("data")).isEmpty();
        assertThat(nowhere.body().get("total").asInt()).isZero();
        assertThat(nowhere.body().get("meta").get("exact").asBoolean()).isTrue();
        // LIKE wildcards are literal here too
        assertThat(get("/api/marketplace/tags?q=%25").body().get("data")).isEmpty();
    }

    @Test
    void refusesBadFiltersWithReasons() {
        String manyTags = String.join(",", java.util.stream.IntStream.range(0, 40).mapToObj(i -> "t" + i).toList());
        for (String bad : List.of("q=" + "x".repeat(300), "tags=" + manyTags)) {
            Answer answer = get("/api/marketplace/tags?" + bad);
            assertThat(answer.status()).as(bad).isEqualTo(400);
            assertThat(answer.body().get("error").asString()).as(bad).isNotBlank();
        }
    }

    @Test
    void cachesByGenerationWithEtags() {
        Answer first = get("/api/marketplace/tags?q=helper");
        Answer second = get("/api/marketplace/tags?q=helper");
        assertThat(second.body().get("meta").get("cache").asString()).isEqualTo("hit");
        assertThat(second.body().get("data")).isEqualTo(first.body().get("data"));
        String etag = second.raw().headers().firstValue("ETag").orElseThrow();
        assertThat(get("/api/marketplace/tags?q=helper", "If-None-Match", etag).status()).isEqualTo(304);
        // tags do not change the counts, so they share the answer and its validator
        assertThat(get("/api/marketplace/tags?q=helper&tags=finance", "If-None-Match", etag).status()).isEqualTo(304);

        newGeneration(generation);
        Answer afterChange = get("/api/marketplace/tags?q=helper", "If-None-Match", etag);
        assertThat(afterChange.status()).isEqualTo(200);
        assertThat(afterChange.body().get("meta").get("cache").asString()).isEqualTo("miss");
    }

    /**
     * A filtered count that cannot finish within the budget answers the whole catalog's counts,
     * flagged inexact. A lock held on the rows makes the count wait past the budget for real.
     */
    @Test
    void overBudgetAnswersTheUnfilteredCountsFlaggedInexact() throws Exception {
        try (Connection locker = DriverManager.getConnection(DATABASE, TestServices.postgresUser(),
                TestServices.postgresPassword()); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("LOCK TABLE marketplace_catalog_rows IN ACCESS EXCLUSIVE MODE");
            Answer answer = get("/api/marketplace/tags?q=budget-test");
            locker.rollback();
            assertThat(answer.status()).isEqualTo(200);
            JsonNode meta = answer.body().get("meta");
            assertThat(meta.get("exact").asBoolean()).isFalse();
            assertThat(meta.get("source").asString()).isEqualTo("counters_fallback");
            assertThat(counts(answer.body())).isEqualTo(counts(get("/api/marketplace/tags").body()));
        }
        newGeneration(generation); // drop the cached inexact answer
        Answer exact = get("/api/marketplace/tags?q=budget-test");
        assertThat(exact.body().get("meta").get("exact").asBoolean()).isTrue();
        assertThat(exact.body().get("data")).isEmpty();
    }

    /** Each tag's count, most frequent first (also for CatalogProofApiIT). */
    static Map<String, Long> counts(JsonNode body) {
        Map<String, Long> counts = new LinkedHashMap<>();
        body.get("data").forEach(c -> counts.put(c.get("tag").asString(), c.get("count").asLong()));
        return counts;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }
}
