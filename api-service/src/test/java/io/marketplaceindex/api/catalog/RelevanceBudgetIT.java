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
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A relevance answer past the candidate budget says its total is not exact, but no exact count is
 * coming for it (unlike an estimated name-order total): it is cached like any final answer, and its
 * validator lets a client revalidate it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestPropertySource(properties = "marketplace.search.relevance-candidates=3")
class RelevanceBudgetIT extends ApiTestSupport {

    @Autowired
    CatalogGeneration generation;

    @BeforeAll
    void seed() {
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            UUID registry = seeder.registry("Budget", "https://budget.example.org");
            AgentNormalizer normalizer = new AgentNormalizer();
            List<ObjectNode> agents = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                agents.add(CatalogTagFacetsIT.agent(normalizer, registry, "Budget", "https://budget.example.org",
                        "budget-" + i, "Lantern agent " + i, "lighting"));
            }
            seeder.agents(registry, agents);
        }
        SearchWordsRefresh.STATEMENTS.forEach(ApiTestSupport::sql);
        newGeneration(generation);
    }

    @Test
    void aRankedAnswerPastTheBudgetIsCachedAndRevalidates() {
        Answer first = get("/api/marketplace?q=lantern&sort=relevance&limit=2");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body().get("total").asLong()).isEqualTo(3);
        assertThat(first.body().get("meta").get("totalExact").asBoolean()).isFalse();
        String etag = first.raw().headers().firstValue("ETag").orElseThrow();
        assertThat(etag).doesNotContain("-estimate");

        Answer again = get("/api/marketplace?q=lantern&sort=relevance&limit=2");
        assertThat(again.body().get("meta").get("cache").asString()).isEqualTo("hit");
        Answer revalidated = get("/api/marketplace?q=lantern&sort=relevance&limit=2", "If-None-Match", etag);
        assertThat(revalidated.status()).isEqualTo(304);
    }
}
