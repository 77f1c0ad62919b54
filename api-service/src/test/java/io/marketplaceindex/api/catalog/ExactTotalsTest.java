package io.marketplaceindex.api.catalog;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.RegistryRef;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.cache.CatalogGeneration;
import io.marketplaceindex.testsupport.CatalogSeeder;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A total that cannot be counted within the request's budget  is answered
 * with a flagged estimate, then counted once in the background; later pages get the exact total.
 * A budget of 0 makes every filtered total take that path.
 */
@TestPropertySource(properties = "marketplace.catalog.exact-count-timeout=0")
class ExactTotalsTest extends ApiTestSupport {

    @Autowired
    CatalogGeneration generation;

    @Test
    void anEstimateFirstThenTheExactTotal() throws InterruptedException {
        String marker = "zz" + UUID.randomUUID().toString().substring(0, 6);
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            String url = "https://totals-" + marker + ".example.org";
            UUID registry = seeder.registry("Totals " + marker, url);
            AgentNormalizer normalizer = new AgentNormalizer();
            List<ObjectNode> agents = new ArrayList<>();
            for (int i = 0; i < 137; i++) {
                ObjectNode record = JSON.createObjectNode().put("handle", marker + "-agent-" + i)
                        .put("agentCardUrl", url + "/cards/" + i);
                ObjectNode card = JSON.createObjectNode().put("name", "Counted " + marker + " " + i);
                agents.add(normalizer.normalize(record, card, new RegistryRef(registry.toString(), "Totals", url))
                        .orElseThrow());
            }
            seeder.agents(registry, agents);
        }
        generation.poll();

        String page = "/api/marketplace?limit=10&q=" + marker;
        Answer estimated = get(page);
        JsonNode first = estimated.body();
        assertThat(first.get("meta").get("totalExact").asBoolean()).isFalse();
        assertThat(first.get("data")).hasSize(10);
        String estimateTag = estimated.raw().headers().firstValue("ETag").orElseThrow();
        assertThat(estimateTag).endsWith("-estimate\"");

        JsonNode later = null;
        for (int offset = 10; offset < 130; offset += 10) {
            later = get("/api/marketplace?limit=10&q=" + marker + "&offset=" + offset).body();
            if (later.get("meta").get("totalExact").asBoolean()) {
                break;
            }
            Thread.sleep(250);
        }
        assertThat(later.get("meta").get("totalExact").asBoolean()).isTrue();
        assertThat(later.get("total").asLong()).isEqualTo(137);

        // A client that kept the estimate (a browser revalidating with If-None-Match) hears 304 only
        // while the estimate is still the answer: once it has expired, it gets the exact page.
        JsonNode revalidated = null;
        for (int attempt = 0; attempt < 40 && revalidated == null; attempt++) {
            Answer answer = get(page, "If-None-Match", estimateTag);
            if (answer.status() == 200 && answer.body().get("meta").get("totalExact").asBoolean()) {
                assertThat(answer.raw().headers().firstValue("ETag").orElseThrow()).isNotEqualTo(estimateTag);
                revalidated = answer.body();
            } else {
                Thread.sleep(250);
            }
        }
        assertThat(revalidated).as("the exact page reached the client that kept the estimate").isNotNull();
        assertThat(revalidated.get("total").asLong()).isEqualTo(137);
    }
}
