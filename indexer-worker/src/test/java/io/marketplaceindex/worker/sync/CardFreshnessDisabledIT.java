package io.marketplaceindex.worker.sync;

import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.RegistryStats;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.worker.WorkerTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code marketplace.sync.card-max-freshness=0}: card freshness is off, every card is revalidated on
 * every sync whatever its Cache-Control says. A context of its own; its command consumer stays stopped
 * so it never takes commands (or chunks) meant for the suite's shared context.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestPropertySource(properties = {
        "marketplace.sync.card-max-freshness=0",
        "spring.kafka.listener.auto-startup=false"})
class CardFreshnessDisabledIT extends WorkerTestSupport {

    @Autowired
    RegistrySyncer syncer;

    private RegistrySimulator simulator;

    @BeforeAll
    void start() {
        simulator = RegistrySimulator.start(SimulatorOptions.defaults().withCardMaxAge(Duration.ofSeconds(600)));
    }

    @AfterAll
    void stop() {
        simulator.close();
    }

    @Test
    void zeroDisablesFreshnessAndEveryCardIsRevalidated() {
        SimulatedRegistry registry = simulator.addRegistry("fresh-off-1", 12, 61L);
        UUID id = connected(registry);
        assertThat(freshUntil(id)).as("nothing is stored as fresh").containsOnlyNulls();
        RegistryStats before = registry.stats();

        UUID rebuild = sync(id);

        RegistryStats after = registry.stats();
        assertThat(after.records() - before.records()).isEqualTo(registry.size());
        assertThat(after.cards() - before.cards()).isEqualTo(registry.size());
        assertThat(after.notModified() - before.notModified()).isEqualTo(2L * registry.size());
        assertThat(progressStatus(rebuild)).isEqualTo("unchanged");
        assertThat(freshUntil(id)).containsOnlyNulls();
    }

    @Test
    void freshnessStoredUnderALargerCapIsNotTrustedAndIsCleared() {
        SimulatedRegistry registry = simulator.addRegistry("fresh-off-2", 8, 62L);
        UUID id = connected(registry);
        // as a worker with the default cap (or before the cap was lowered) would have stored them
        jdbc.sql("UPDATE marketplace_catalog_sources SET card_fresh_until = now() + interval '10 minutes' "
                + "WHERE registry_id = ?").param(id).update();
        String rows = rowsFingerprint(id);
        RegistryStats before = registry.stats();

        UUID rebuild = sync(id);

        assertThat(registry.stats().cards() - before.cards()).isEqualTo(registry.size());
        assertThat(progressStatus(rebuild)).isEqualTo("unchanged");
        assertThat(rowsFingerprint(id)).isEqualTo(rows);
        assertThat(freshUntil(id)).as("the 304s carried no freshness we keep: cleared").containsOnlyNulls();
    }

    private UUID connected(SimulatedRegistry registry) {
        UUID id = register(registry);
        assertThat(progressStatus(sync(id))).isEqualTo("ok");
        assertThat(handles(id)).hasSize(registry.size());
        return id;
    }

    private UUID sync(UUID id) {
        UUID rebuild = UUID.randomUUID();
        syncer.sync(new SyncRequest(id, rebuild, RebuildReason.OPERATOR, Instant.now(), false));
        return rebuild;
    }

    private List<Object> freshUntil(UUID id) {
        return jdbc.sql("SELECT card_fresh_until FROM marketplace_catalog_sources WHERE registry_id = ?").param(id)
                .query((rs, n) -> rs.getObject(1)).list();
    }

    private String rowsFingerprint(UUID id) {
        return jdbc.sql("""
                        SELECT count(*) || '/' || max(updated_at) || '/' || max(change_xid) || '/'
                               || string_agg(encode(content_hash, 'hex'), ',' ORDER BY handle)
                        FROM marketplace_catalog_rows WHERE registry_id = ?
                        """)
                .param(id).query(String.class).single();
    }
}
