package io.marketplaceindex.worker.sync;

import io.marketplaceindex.rebuild.SyncCounts;
import io.marketplaceindex.testsupport.CatalogSeeder;
import io.marketplaceindex.worker.WorkerTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A successful sync keeps the smallest ttlSecondsRecommended of the registry's rows for the scheduled
 * producer, raised to the configured minimum, and forgets it when no row recommends one.
 */
@TestPropertySource(properties = "marketplace.sync.min-recommended-ttl=PT2M")
class RecommendedTtlIT extends WorkerTestSupport {

    @Autowired
    SyncStateStore state;

    @Test
    void theSmallestRecommendationIsKeptAboveTheMinimum() {
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            UUID calm = seeder.registry("ttl-calm", "https://calm.ttl.example");
            seeder.agents(calm, List.of(agent("a", 3600), agent("b", 900.5), agent("c", null), text("d")));
            assertThat(afterSuccess(calm)).isEqualTo(900);

            UUID hostile = seeder.registry("ttl-hostile", "https://hostile.ttl.example");
            seeder.agents(hostile, List.of(agent("a", 1), agent("b", -5), agent("c", 1e30)));
            assertThat(afterSuccess(hostile)).as("clamped to marketplace.sync.min-recommended-ttl").isEqualTo(120);

            UUID silent = seeder.registry("ttl-silent", "https://silent.ttl.example");
            seeder.agents(silent, List.of(agent("a", null), text("b")));
            assertThat(afterSuccess(silent)).isNull();

            UUID huge = seeder.registry("ttl-huge", "https://huge.ttl.example");
            seeder.agents(huge, List.of(agent("a", 1e30)));
            assertThat(afterSuccess(huge)).isEqualTo(Integer.MAX_VALUE);
        }
    }

    private Integer afterSuccess(UUID registry) {
        Instant now = Instant.now();
        state.recordSuccess(registry, now, now, new SyncCounts(0, 0, 0, 0, 0, 0, 0, 0), List.of(), null);
        return jdbc.sql("SELECT recommended_ttl_seconds FROM marketplace_registries WHERE id = ?").param(registry)
                .query(Integer.class).optional().orElse(null);
    }

    private static ObjectNode agent(String handle, Number ttl) {
        ObjectNode agent = CatalogSeeder.json().createObjectNode().put("handle", handle).put("name", handle)
                .put("agentCardUrl", "https://cards.example/" + handle);
        if (ttl instanceof Integer i) {
            agent.put("ttlSecondsRecommended", i);
        } else if (ttl != null) {
            agent.put("ttlSecondsRecommended", ttl.doubleValue());
        }
        return agent;
    }

    /** A value of the wrong type never reaches a row (the normalizer drops it); the index must ignore it anyway. */
    private static ObjectNode text(String handle) {
        return agent(handle, null).put("ttlSecondsRecommended", "60");
    }
}
