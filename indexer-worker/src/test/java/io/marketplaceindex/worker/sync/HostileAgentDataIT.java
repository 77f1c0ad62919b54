package io.marketplaceindex.worker.sync;

import io.marketplaceindex.agent.AgentBudgets;
import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatedAgent;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.worker.WorkerTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One agent cannot freeze its registry: a registry served over real HTTP whose agents include one
 * with a 3,000-character random name, one with a 3,000-character random tag, and one the database
 * refuses whatever the budgets (its name-order index entry is too large), syncs to {@code ok}: every
 * other agent is indexed and later changes to them land; the hostile ones are indexed within their
 * budgets or listed in the registry's errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileAgentDataIT extends WorkerTestSupport {

    private static final AtomicInteger NAMES = new AtomicInteger();

    @Autowired
    RegistrySyncer syncer;

    private RegistrySimulator simulator;

    @BeforeAll
    void start() {
        simulator = RegistrySimulator.start(SimulatorOptions.defaults());
    }

    @AfterAll
    void stop() {
        simulator.close();
    }

    @Test
    void aGiantNameOrTagIsCutToItsBudgetAndTheRegistrySyncs() {
        SimulatedRegistry registry = simulator.addRegistry("giant-" + NAMES.incrementAndGet(), 20, 71L);
        Random random = new Random(7);
        String giantName = randomText(random, 3_000);
        String giantTag = randomText(random, 3_000);
        registry.addAgent("giant-name", giantName);
        registry.addAgent("giant-tag", null, List.of(giantTag));
        UUID id = register(registry);

        sync(id);

        assertThat(status(id)).isEqualTo("ok");
        assertThat(handles(id)).hasSize(22).containsAll(registry.handles());
        String name = jdbc.sql("SELECT agent->>'name' FROM marketplace_catalog_rows WHERE registry_id = ? AND handle = 'giant-name'")
                .param(id).query(String.class).single();
        assertThat(name).isEqualTo(giantName.substring(0, AgentBudgets.NAME_CODE_POINTS));
        List<String> tags = jdbc.sql("SELECT unnest(tags) FROM marketplace_catalog_rows WHERE registry_id = ? AND handle = 'giant-tag'")
                .param(id).query(String.class).list();
        assertThat(tags).contains(giantTag.substring(0, AgentBudgets.TAG_CODE_POINTS)).allMatch(t -> t.length() <= 64);

        // a later change to the others lands
        String good = registry.handles().get(3);
        registry.updateAgent(good, "Renamed after the giants");
        registry.updateAgent("giant-name", randomText(random, 3_000));
        sync(id);
        assertThat(status(id)).isEqualTo("ok");
        assertThat(name(id, good)).isEqualTo("Renamed after the giants");
        assertThat(name(id, "giant-name")).hasSize(AgentBudgets.NAME_CODE_POINTS);
    }

    @Test
    void aRowTheDatabaseStillRefusesIsSetAsideAndRecordedNotTheRegistryFailed() {
        SimulatedRegistry registry = simulator.addRegistry("refused-" + NAMES.incrementAndGet(), 20, 72L);
        Random random = new Random(11);
        // Within every budget, yet too large for one entry of the name-order index: a handle of 500
        // four-byte code points (2,000 bytes) beside a 512-byte sort name and a kilobyte of tags.
        String handle = randomSupplementary(random, 500);
        List<String> tags = List.of(randomSupplementary(random, 64), randomSupplementary(random, 64),
                randomSupplementary(random, 64));
        registry.addAgent(handle, randomSupplementary(random, 256), tags);
        UUID id = register(registry);

        sync(id);

        assertThat(status(id)).isEqualTo("ok");
        List<String> indexed = handles(id);
        assertThat(indexed).hasSize(20).doesNotContain(handle);
        assertThat(recentErrors(id)).contains(handle).contains("refused_by_database")
                .contains("exceeds btree version 4 maximum").doesNotContain("INSERT INTO");
        assertThat((Integer) registryRow(id).get("record_count")).isEqualTo(20);

        // the registry keeps syncing: changes to the others land, and the refused agent is still refused and listed
        String good = registry.handles().get(5);
        registry.updateAgent(good, "Renamed beside a refused agent");
        sync(id);
        assertThat(status(id)).isEqualTo("ok");
        assertThat(name(id, good)).isEqualTo("Renamed beside a refused agent");
        assertThat(recentErrors(id)).contains(handle);
        // the tag counters count only what was written
        Long refusedTagCount = jdbc.sql("SELECT count(*) FROM marketplace_tag_counts WHERE tag = ?").param(tags.get(0))
                .query(Long.class).single();
        assertThat(refusedTagCount).isZero();
    }

    /** Random letters and digits: incompressible enough that PostgreSQL cannot shrink them under its limit. */
    private static String randomText(Random random, int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    /** Random CJK Extension B code points: four UTF-8 bytes each. */
    private static String randomSupplementary(Random random, int codePoints) {
        StringBuilder out = new StringBuilder(codePoints * 2);
        for (int i = 0; i < codePoints; i++) {
            out.appendCodePoint(0x20000 + random.nextInt(0xA6DF));
        }
        return out.toString();
    }

    private void sync(UUID id) {
        syncer.sync(new SyncRequest(id, UUID.randomUUID(), RebuildReason.OPERATOR, Instant.now(), false));
    }

    private String status(UUID id) {
        return (String) registryRow(id).get("sync_status");
    }

    private String name(UUID id, String handle) {
        return jdbc.sql("SELECT agent->>'name' FROM marketplace_catalog_rows WHERE registry_id = ? AND handle = ?")
                .params(id, handle).query(String.class).single();
    }

    private String recentErrors(UUID id) {
        return jdbc.sql("SELECT recent_errors::text FROM marketplace_registries WHERE id = ?").param(id)
                .query(String.class).single();
    }
}
