package io.marketplaceindex.worker.sync;

import io.marketplaceindex.rebuild.ProgressDetail;
import io.marketplaceindex.rebuild.ProgressStatus;
import io.marketplaceindex.rebuild.SyncCounts;
import io.marketplaceindex.events.CatalogChanged;
import io.marketplaceindex.worker.catalog.CatalogChangePublisher;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.UUID;

/** What follows a committed sync, on either path: the rebuild's progress, metrics and the change event. */
@Component
public class SyncReporter {

    private static final Logger log = LoggerFactory.getLogger(SyncReporter.class);

    private final CatalogChangePublisher changes;
    private final SyncStateStore state;
    private final Clock clock;
    private final MeterRegistry meters;

    SyncReporter(CatalogChangePublisher changes, SyncStateStore state, Clock clock, MeterRegistry meters) {
        this.changes = changes;
        this.state = state;
        this.clock = clock;
        this.meters = meters;
    }

    /** @return the progress status: ok, or unchanged when no row changed */
    public ProgressStatus committed(UUID registryId, UUID rebuildId, String reason, CommitResult committed) {
        return committed(registryId, rebuildId, reason, committed,
                ProgressDetail.synced(committed.counts(), committed.warning()));
    }

    /** A chunked run's commit: its progress line names the run and all its chunks done. */
    public ProgressStatus committedRun(UUID registryId, UUID rebuildId, String reason, CommitResult committed,
                                       UUID runId, int chunksTotal) {
        return committed(registryId, rebuildId, reason, committed,
                ProgressDetail.synced(committed.counts(), committed.warning()).withRun(runId, chunksTotal, chunksTotal));
    }

    private ProgressStatus committed(UUID registryId, UUID rebuildId, String reason, CommitResult committed,
                                     ProgressDetail detail) {
        SyncCounts counts = committed.counts();
        meters.counter("marketplace.sync.rows.written").increment(counts.added() + counts.updated() + counts.removed());
        ProgressStatus status = counts.changedRows() ? ProgressStatus.OK : ProgressStatus.UNCHANGED;
        // Before the event: the rows are committed, so the rebuild's line must say so even if the
        // broker fails now (readers still catch up by polling the generation).
        state.progressFinished(rebuildId, registryId, reason, status, detail);
        if (committed.generation() > 0) {
            changes.publish(new CatalogChanged(CatalogChanged.VERSION, committed.generation(), registryId, rebuildId,
                    counts.added(), counts.updated(), counts.removed(), clock.instant()));
        }
        log.info("registry {} synced: {}", registryId, counts);
        return status;
    }
}
