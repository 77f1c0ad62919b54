package io.marketplaceindex.worker.sync;

import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.testsupport.TestServices;
import io.marketplaceindex.worker.WorkerTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reader polling during a rebuild sees the registry's old rows or its new rows, nothing between
 * (registries under the chunk threshold; ChunkedSyncIT shows the same for chunked runs).
 */
class AtomicVisibilityIT extends WorkerTestSupport {

    @Autowired
    RegistrySyncer syncer;

    @Test
    void readersSeeTheOldOrTheNewRegistryNeverAMix() throws Exception {
        try (RegistrySimulator simulator = RegistrySimulator.start(SimulatorOptions.defaults())) {
            SimulatedRegistry registry = simulator.addRegistry("atomic", 40, 51L);
            UUID id = UUID.randomUUID();
            jdbc.sql("INSERT INTO marketplace_registries (id, name, url) VALUES (?, ?, ?)")
                    .params(id, registry.name(), registry.baseUrl()).update();
            sync(id);
            assertThat(handles(id)).hasSize(40);

            List<String> handles = registry.handles();
            for (int i = 0; i < 8; i++) {
                registry.removeAgent(handles.get(i));
            }
            for (int i = 0; i < 5; i++) {
                registry.addAgent("fresh-" + i + ".atomic", "Fresh " + i);
            }
            registry.mutate(6);
            registry.setLatency(Duration.ofMillis(15)); // the sync takes a while; the reader keeps looking

            Set<String> seen = ConcurrentHashMap.newKeySet();
            AtomicBoolean syncing = new AtomicBoolean(true);
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                try (Connection c = DriverManager.getConnection(DATABASE, TestServices.postgresUser(),
                        TestServices.postgresPassword()); PreparedStatement st = c.prepareStatement("""
                        SELECT count(*), count(*) FILTER (WHERE handle LIKE 'fresh-%')
                        FROM marketplace_catalog_rows WHERE registry_id = ?
                        """)) {
                    st.setObject(1, id);
                    while (syncing.get()) {
                        try (ResultSet rs = st.executeQuery()) {
                            rs.next();
                            seen.add(rs.getLong(1) + "/" + rs.getLong(2));
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            sync(id);
            syncing.set(false);
            reader.get();

            assertThat(seen).isSubsetOf("40/0", "37/5").contains("40/0");
            assertThat(handles(id)).hasSize(37);
        }
    }

    private void sync(UUID id) {
        syncer.sync(new SyncRequest(id, UUID.randomUUID(), RebuildReason.OPERATOR, Instant.now(), false));
    }
}
