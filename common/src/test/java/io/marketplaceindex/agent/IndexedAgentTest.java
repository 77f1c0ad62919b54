package io.marketplaceindex.agent;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;

import static io.marketplaceindex.agent.AgentNormalizerTest.FULL_CARD;
import static io.marketplaceindex.agent.AgentNormalizerTest.FULL_RECORD;
import static io.marketplaceindex.agent.AgentNormalizerTest.REGISTRY;
import static io.marketplaceindex.agent.AgentNormalizerTest.json;
import static io.marketplaceindex.agent.AgentNormalizerTest.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IndexedAgentTest {

    private final AgentNormalizer normalizer = new AgentNormalizer();

    @Test
    void storesTheCanonicalJsonItsHashIsComputedOver() {
        ObjectNode agent = normalizer.normalize(record(FULL_RECORD), json(FULL_CARD), REGISTRY).orElseThrow();

        IndexedAgent indexed = IndexedAgent.of(agent);

        assertThat(indexed.fields()).isEqualTo(AgentIndexFields.of(agent));
        assertThat(indexed.json()).isEqualTo(new String(AgentIndexFields.canonicalBytes(agent), StandardCharsets.UTF_8));
        // the same value as the agent written in its own key order
        assertThat(json(indexed.json())).isEqualTo(agent);
    }

    @Test
    void refusesWhatIsNotANormalizedAgent() {
        assertThatThrownBy(() -> IndexedAgent.of((ObjectNode) json("{\"name\":\"no handle\"}")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
