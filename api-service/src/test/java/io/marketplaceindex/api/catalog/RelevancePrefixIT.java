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
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The last word of q as a prefix, both ways the service looks it up: named by its dictionary
 * completions (at most {@link SearchWords#MAX_EXPANDED}), or, with more completions than that,
 * checked on the rows the other words found. Either way the answer holds exactly the agents with
 * every word, the last one as a prefix.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelevancePrefixIT extends ApiTestSupport {

    private static final String URL = "https://prefix.example.org";
    private static final int KITS = SearchWords.MAX_EXPANDED + 10;

    @Autowired
    CatalogGeneration generation;

    private final AgentNormalizer normalizer = new AgentNormalizer();
    private UUID registry;

    @BeforeAll
    void seed() {
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            registry = seeder.registry("Prefix", URL);
            List<ObjectNode> agents = new ArrayList<>();
            // KITS distinct words beginning with "kit": more completions than are named
            for (int i = 0; i < KITS; i++) {
                agents.add(agent("beacon-" + i, (i % 3 == 0 ? "Lantern" : "Beacon") + " kit" + i));
            }
            agents.add(agent("lantern-plain", "Lantern plain"));
            seeder.agents(registry, agents);
        }
        SearchWordsRefresh.STATEMENTS.forEach(ApiTestSupport::sql);
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            // indexed after the dictionary's refresh: the dictionary does not know "kit1fresh" yet
            seeder.agents(registry, List.of(agent("fresh", "Lantern kit1fresh")));
        }
        newGeneration(generation);
    }

    @Test
    void aPrefixWithMoreCompletionsThanAreNamedIsCheckedOnTheOtherWordsMatches() {
        List<String> handles = handles("/api/marketplace?q=lantern%20kit&sort=relevance&limit=100");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < KITS; i += 3) {
            expected.add("beacon-" + i);
        }
        expected.add("fresh");
        assertThat(handles).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void aPrefixWithFewCompletionsIsLookedUpAsThoseWords() {
        // kit1, kit10 ... kit19: eleven completions; the one indexed after the refresh is found once typed whole
        List<String> expected = new ArrayList<>(List.of("beacon-1"));
        for (int i = 10; i < 20; i++) {
            expected.add("beacon-" + i);
        }
        assertThat(handles("/api/marketplace?q=kit1&sort=relevance&limit=100"))
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(handles("/api/marketplace?q=lantern%20kit1fresh&sort=relevance")).containsExactly("fresh");
        assertThat(handles("/api/marketplace?q=lantern%20kit1fr&sort=relevance"))
                .as("a prefix the dictionary has no completion of is matched as a prefix").containsExactly("fresh");
    }

    private List<String> handles(String path) {
        Answer answer = get(path);
        assertThat(answer.status()).isEqualTo(200);
        List<String> handles = new ArrayList<>();
        for (JsonNode item : answer.body().get("data")) {
            handles.add(item.get("handle").stringValue());
        }
        assertThat(answer.body().get("total").asLong()).isEqualTo(handles.size());
        return handles;
    }

    private ObjectNode agent(String handle, String name) {
        return CatalogTagFacetsIT.agent(normalizer, registry, "Prefix", URL, handle, name, "lighting");
    }
}
