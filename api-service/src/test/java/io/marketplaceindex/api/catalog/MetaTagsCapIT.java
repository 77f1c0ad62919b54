package io.marketplaceindex.api.catalog;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.RegistryRef;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.cache.CatalogGeneration;
import io.marketplaceindex.testsupport.CatalogSeeder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A registry whose agents carry 20,000 distinct random tags: every catalog page lists only the most
 * frequent tags in meta.tags (marketplace.catalog.meta-tags-max, 200 by default) and says it cut the
 * list, so the page stays small; the whole list stays at /api/marketplace/tags.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetaTagsCapIT extends ApiTestSupport {

    @Autowired
    CatalogGeneration generation;

    private static final String URL = "https://many-tags.example.org";
    private static final int AGENTS = 4_000;
    private static final int RANDOM_TAGS_PER_AGENT = 5;
    private static final List<String> POPULAR = List.of("popular-a", "popular-b");

    @BeforeAll
    void seed() {
        AgentNormalizer normalizer = new AgentNormalizer();
        Random random = new Random(14);
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            UUID registry = seeder.registry("Many tags", URL);
            RegistryRef ref = new RegistryRef(registry.toString(), "Many tags", URL);
            List<ObjectNode> agents = new ArrayList<>();
            for (int i = 0; i < AGENTS; i++) {
                ObjectNode record = JSON.createObjectNode().put("handle", "tagged-" + i)
                        .put("agentCardUrl", URL + "/cards/" + i);
                ArrayNode tags = record.putArray("capabilities");
                POPULAR.forEach(tags::add);
                for (int t = 0; t < RANDOM_TAGS_PER_AGENT; t++) {
                    tags.add("t" + (i * RANDOM_TAGS_PER_AGENT + t) + "-" + Long.toHexString(random.nextLong()));
                }
                ObjectNode card = JSON.createObjectNode().put("name", "Tagged " + i);
                agents.add(normalizer.normalize(record, card, ref).orElseThrow());
            }
            seeder.agents(registry, agents);
        }
        generation.poll();
    }

    @Test
    void metaTagsListsTheMostFrequentUpToTheCapAndSaysItCutTheRest() {
        Answer page = get("/api/marketplace?limit=50");
        assertThat(page.status()).isEqualTo(200);
        JsonNode meta = page.body().get("meta");
        List<String> tags = new ArrayList<>();
        meta.get("tags").forEach(t -> tags.add(t.asString()));
        assertThat(tags).hasSize(200).containsAll(POPULAR).doesNotHaveDuplicates()
                .isSortedAccordingTo(Comparator.naturalOrder());
        assertThat(meta.get("tagsTruncated").asBoolean()).isTrue();

        // 20,002 tags of about 20 bytes would be 0.5 MB on every page; 50 agents and 200 tags are not
        int bytes = page.raw().body().getBytes(StandardCharsets.UTF_8).length;
        assertThat(bytes).isLessThan(64 * 1024);

        JsonNode all = get("/api/marketplace/tags").body();
        assertThat(all.get("total").asInt()).isEqualTo(AGENTS * RANDOM_TAGS_PER_AGENT + POPULAR.size());
        assertThat(all.get("data").get(0).get("tag").asString()).isIn(POPULAR);
    }
}
