package io.marketplaceindex.worker.sync;

import io.marketplaceindex.worker.catalog.CardFreshness;
import io.marketplaceindex.worker.catalog.CatalogStore;
import io.marketplaceindex.worker.catalog.RowWrite;
import io.marketplaceindex.worker.catalog.StoredRow;
import io.marketplaceindex.worker.catalog.TagCountDeltas;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Commits one registry's sync in a single transaction: rows, sources, removals with tombstones,
 * the registry's sync state, tag counts and the generation bump. Readers therefore see either
 * the registry's old rows or its new rows, never a mix and never an empty registry. Both sync paths
 * end here: the single-thread sync with its results in memory, a chunked run with its results in
 * staging.
 *
 * <p>Everything up to the sync state touches only this registry's rows (and takes only its advisory
 * lock), so commits of different registries, on any replica, run side by side. The shared rows
 * (tag counters, catalog generation) come last ({@link CatalogStore#sealChange}): commits queue
 * only for that tail and their COMMIT.
 */
@Component
class SyncCommitter {

    private static final Logger log = LoggerFactory.getLogger(SyncCommitter.class);

    private final CatalogStore catalog;
    private final SyncStateStore state;
    private final SyncProperties properties;
    private final Clock clock;
    private final MeterRegistry meters;

    SyncCommitter(CatalogStore catalog, SyncStateStore state, SyncProperties properties, Clock clock,
                  MeterRegistry meters) {
        this.catalog = catalog;
        this.state = state;
        this.properties = properties;
        this.clock = clock;
        this.meters = meters;
    }

    /**
     * Rows the complete listing no longer names are removed unless the shrink guard refuses (an
     * empty listing, or more than the allowed share of the registry's rows); handles the registry
     * answered 404/410 for are removed in any case.
     */
    @Transactional
    CommitResult commit(SyncInput input) {
        return commit(input, () -> {
        });
    }

    /**
     * @param beforeSeal further work of the caller's transaction (a chunked run's bookkeeping), run
     *                   after this registry's writes and before the shared tail, so that it does not
     *                   extend the time the shared counters and the generation stay locked
     */
    @Transactional
    CommitResult commit(SyncInput input, Runnable beforeSeal) {
        Timer.Sample sample = Timer.start(meters);
        try {
            return write(input, beforeSeal);
        } finally {
            // the transaction's work; its COMMIT follows when this method returns
            sample.stop(meters.timer("marketplace.sync.commit"));
        }
    }

    private CommitResult write(SyncInput input, Runnable beforeSeal) {
        UUID registryId = input.registryId();
        catalog.lockRegistry(registryId);
        // Compared under the lock, so overlapping writers cannot skew the tag counts or the sweep.
        Map<String, StoredRow> stored = catalog.loadState(registryId);
        Sweep sweep = sweep(stored, input.listed(), input.force());
        if (sweep.warning() != null) {
            log.warn("registry {}: {}", registryId, sweep.warning());
        }

        Instant now = clock.instant();
        Tally tally = new Tally(registryId);
        input.results().forEachBatch(properties.writeBatchSize(), batch -> apply(tally, stored, batch, now));
        sweep.handles().stream().filter(stored::containsKey).forEach(tally.removals::add);
        if (!tally.removals.isEmpty()) {
            for (List<String> tags : catalog.deleteRows(registryId, tally.removals)) {
                tally.tagDeltas.removed(tags);
            }
        }

        List<SyncError> errors = new ArrayList<>(tally.errors);
        if (input.malformed() > 0) {
            errors.add(new SyncError(now, null, "malformed_listing",
                    input.malformed() + " listing entries were not usable handles and were skipped"));
        }
        if (sweep.warning() != null) {
            errors.add(new SyncError(now, null, "shrink_guard", sweep.warning()));
        }
        SyncCounts counts = new SyncCounts(input.listed().size(), input.malformed(), tally.fetched, tally.unchanged,
                tally.added, tally.updated, tally.removals.size(), tally.failed);
        state.recordSuccess(registryId, input.startedAt(), clock.instant(), counts, errors, sweep.warning());
        beforeSeal.run();
        // A sync that changes no row takes no generation and announces nothing.
        long generation = counts.changedRows() ? catalog.sealChange(tally.tagDeltas) : 0;
        return new CommitResult(generation, counts, sweep.warning());
    }

    /** Compares one batch with the stored rows and writes what changed. */
    private void apply(Tally tally, Map<String, StoredRow> stored, List<HandleResult> batch, Instant now) {
        List<RowWrite> newRows = new ArrayList<>();
        List<RowWrite> changedRows = new ArrayList<>();
        List<RowWrite> sourceWrites = new ArrayList<>();
        List<CardFreshness> freshnessWrites = new ArrayList<>();
        List<String> added = new ArrayList<>();
        for (HandleResult result : batch) {
            if (result instanceof HandleResult.NotModified) {
                tally.unchanged++;
            } else if (result instanceof HandleResult.CardRevalidated revalidated) {
                // The agent is unchanged; only when to ask for its card next is: no row, no generation.
                tally.unchanged++;
                freshnessWrites.add(new CardFreshness(revalidated.handle(), revalidated.cardFreshUntil()));
            } else if (result instanceof HandleResult.Gone gone) {
                if (stored.containsKey(gone.handle())) {
                    tally.removals.add(gone.handle());
                }
            } else if (result instanceof HandleResult.Failed f) {
                tally.failed++;
                tally.error(new SyncError(now, f.handle(), f.kind(), f.message()));
            } else if (result instanceof HandleResult.Fetched f) {
                tally.fetched++;
                RowWrite write = f.write();
                if (write.cardError() != null) {
                    // operators get the detail the public row leaves out
                    tally.error(new SyncError(now, f.handle(), "card",
                            write.cardErrorDetail() != null ? write.cardErrorDetail() : write.cardError()));
                }
                StoredRow old = stored.get(f.handle());
                if (old == null) {
                    added.add(f.handle());
                    newRows.add(write);
                    sourceWrites.add(write);
                    tally.tagDeltas.added(write.fields().tags());
                } else if (!Arrays.equals(old.contentHash(), write.fields().contentHash())) {
                    tally.updated++;
                    changedRows.add(write);
                    sourceWrites.add(write);
                    tally.tagDeltas.removed(old.tags());
                    tally.tagDeltas.added(write.fields().tags());
                } else {
                    tally.unchanged++;
                    if (!old.hasRecord() || !Objects.equals(old.recordEtag(), write.recordEtag())
                            || !Objects.equals(old.cardEtag(), write.cardEtag())
                            || !Objects.equals(old.cardLastModified(), write.cardLastModified())
                            || !Objects.equals(old.cardFreshUntil(), write.cardFreshUntil())
                            || !Objects.equals(old.cardUrl(), write.cardUrl())) {
                        sourceWrites.add(write);
                    }
                }
            }
        }
        if (!newRows.isEmpty()) {
            // loaded under the registry's lock: none of these rows exists
            catalog.insertRows(tally.registryId, newRows, properties.writeBatchSize());
            catalog.clearTombstones(tally.registryId, added);
        }
        if (!changedRows.isEmpty()) {
            catalog.upsertRows(tally.registryId, changedRows, properties.writeBatchSize());
        }
        catalog.upsertSources(tally.registryId, sourceWrites, properties.writeBatchSize());
        catalog.updateCardFreshness(tally.registryId, freshnessWrites, properties.writeBatchSize());
        tally.added += added.size();
    }

    /**
     * The shrink guard: a listing that names none of the registry's rows, or drops more than the
     * allowed share of them, is distrusted (a registry glitch must not empty the index) unless forced.
     */
    private Sweep sweep(Map<String, StoredRow> stored, Set<String> listed, boolean force) {
        Set<String> unlisted = new HashSet<>(stored.keySet());
        unlisted.removeAll(listed);
        if (unlisted.isEmpty() || force) {
            return new Sweep(unlisted, null);
        }
        if (listed.isEmpty()) {
            return new Sweep(Set.of(),
                    "refused to remove all " + stored.size() + " rows: the registry listed no handles");
        }
        if (unlisted.size() > properties.maxShrinkRatio() * stored.size()) {
            return new Sweep(Set.of(), "refused to remove " + unlisted.size() + " of " + stored.size()
                    + " rows (more than " + Math.round(properties.maxShrinkRatio() * 100)
                    + " %); rebuild with force to accept the shrunken listing");
        }
        return new Sweep(unlisted, null);
    }

    private record Sweep(Set<String> handles, String warning) {
    }

    /** Running totals of one commit, across its batches. */
    private final class Tally {
        final UUID registryId;
        final TagCountDeltas tagDeltas = new TagCountDeltas();
        final Set<String> removals = new LinkedHashSet<>();
        final List<SyncError> errors = new ArrayList<>();
        int fetched;
        int unchanged;
        int added;
        int updated;
        int failed;

        Tally(UUID registryId) {
            this.registryId = registryId;
        }

        void error(SyncError error) {
            // room is left for the registry-level errors (malformed listing, shrink guard) added last
            if (errors.size() < SyncStateStore.MAX_RECENT_ERRORS - 2) {
                errors.add(error);
            }
        }
    }
}
