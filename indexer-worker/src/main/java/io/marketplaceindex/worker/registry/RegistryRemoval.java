package io.marketplaceindex.worker.registry;

import io.marketplaceindex.events.CatalogChanged;
import io.marketplaceindex.worker.catalog.CatalogChangePublisher;
import io.marketplaceindex.worker.catalog.CatalogStore;
import io.marketplaceindex.worker.catalog.TagCountDeltas;
import io.marketplaceindex.worker.sync.chunked.ChunkedSync;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.util.UUID;

/** Takes a disabled or removed registry's agents out of the index, in one transaction. */
@Service
public class RegistryRemoval {

    private final CatalogStore catalog;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final CatalogChangePublisher changes;
    private final ChunkedSync chunked;
    private final Clock clock;

    public RegistryRemoval(CatalogStore catalog, JdbcClient jdbc, TransactionTemplate tx,
                           CatalogChangePublisher changes, ChunkedSync chunked, Clock clock) {
        this.catalog = catalog;
        this.jdbc = jdbc;
        this.tx = tx;
        this.changes = changes;
        this.chunked = chunked;
        this.clock = clock;
    }

    public void removeRows(UUID registryId, UUID commandId) {
        remove(registryId, commandId, false);
    }

    public void removeRegistry(UUID registryId, UUID commandId) {
        remove(registryId, commandId, true);
    }

    private void remove(UUID registryId, UUID commandId, boolean deleteRegistry) {
        Removed removed = tx.execute(status -> {
            catalog.lockRegistry(registryId);
            // A chunked run in flight would bring the rows back when applied.
            chunked.cancelRuns(registryId, deleteRegistry ? "registry removed" : "registry disabled");
            int count = jdbc.sql("SELECT count(*) FROM marketplace_catalog_rows WHERE registry_id = ?")
                    .param(registryId).query(Integer.class).single();
            TagCountDeltas deltas = new TagCountDeltas();
            if (count > 0) {
                catalog.deleteAllRows(registryId).forEach(deltas::removed);
            }
            if (deleteRegistry) {
                jdbc.sql("DELETE FROM marketplace_registries WHERE id = ?").param(registryId).update();
            } else {
                // Without its rows the last success answers no later request: the sync that enabling the
                // registry again asks for must run, even if it was requested before that success began.
                jdbc.sql("""
                                UPDATE marketplace_registries SET record_count = 0, last_success_started_at = NULL
                                WHERE id = ?
                                """)
                        .param(registryId).update();
            }
            // last, so that other registries' commits wait for this one only over its tail
            long generation = count > 0 ? catalog.sealChange(deltas) : 0;
            return new Removed(count, generation);
        });
        if (removed != null && removed.rows() > 0) {
            changes.publish(new CatalogChanged(CatalogChanged.VERSION, removed.generation(), registryId, commandId,
                    0, 0, removed.rows(), clock.instant()));
        }
    }

    private record Removed(int rows, long generation) {
    }
}
