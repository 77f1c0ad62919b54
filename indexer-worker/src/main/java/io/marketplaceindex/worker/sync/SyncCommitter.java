package io.marketplaceindex.worker.sync;

import io.marketplaceindex.rebuild.SyncCounts;
import io.marketplaceindex.tracing.TracingConfiguration;
import io.marketplaceindex.worker.catalog.CardFreshness;
import io.marketplaceindex.worker.catalog.CatalogStore;
import io.marketplaceindex.worker.catalog.RowWrite;
import io.marketplaceindex.worker.catalog.StoredRow;
import io.marketplaceindex.worker.catalog.TagCountDeltas;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.SQLException;
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
 *
 * <p>One agent cannot fail its registry's commit: the normalizer keeps every value within its budget,
 * and a row the database still refuses (an index entry over PostgreSQL's limit, a value it cannot
 * store) is set aside. Each batch of row writes runs under a savepoint; when one fails for its data,
 * the batch is rolled back to it and written again row by row, each under its own savepoint, and the
 * refused rows are left as they were (a new one is not indexed, a changed one keeps its last good
 * version) and listed in the registry's errors as {@code refused_by_database}.
 *
 * <p>A commit is a span of the sync's trace ({@link #COMMIT_OBSERVATION}) from its first write to the
 * end of its transaction, COMMIT included.
 */
@Component
public class SyncCommitter {

    /** A sync's commit, as a span; marketplace.sync.commit measures it. */
    static final String COMMIT_OBSERVATION = TracingConfiguration.SPAN_ONLY + "commit";

    private static final Logger log = LoggerFactory.getLogger(SyncCommitter.class);

    private final CatalogStore catalog;
    private final SyncStateStore state;
    private final SyncProperties properties;
    private final Clock clock;
    private final MeterRegistry meters;
    /** Savepoints inside the commit's transaction, so one refused row does not abort it. */
    private final TransactionTemplate savepoint;
    private final ObservationRegistry observations;

    SyncCommitter(CatalogStore catalog, SyncStateStore state, SyncProperties properties, Clock clock,
                  MeterRegistry meters, PlatformTransactionManager transactions, ObservationRegistry observations) {
        this.catalog = catalog;
        this.state = state;
        this.properties = properties;
        this.clock = clock;
        this.meters = meters;
        this.savepoint = new TransactionTemplate(transactions);
        this.savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        this.observations = observations;
    }

    /**
     * Rows the complete listing no longer names are removed unless the shrink guard refuses (an
     * empty listing, or more than the allowed share of the registry's rows); handles the registry
     * answered 404/410 for are removed in any case.
     */
    @Transactional
    public CommitResult commit(SyncInput input) {
        return commit(input, () -> {
        });
    }

    /**
     * @param beforeSeal further work of the caller's transaction (a chunked run's bookkeeping), run
     *                   after this registry's writes and before the shared tail, so that it does not
     *                   extend the time the shared counters and the generation stay locked
     */
    @Transactional
    public CommitResult commit(SyncInput input, Runnable beforeSeal) {
        Timer.Sample sample = Timer.start(meters);
        Observation observation = observeUntilTransactionEnds(input.registryId());
        try (Observation.Scope ignored = observation.openScope()) {
            return write(input, beforeSeal);
        } catch (RuntimeException | Error e) {
            observation.error(e);
            throw e;
        } finally {
            // the transaction's work; its COMMIT follows when this method returns
            sample.stop(meters.timer("marketplace.sync.commit"));
        }
    }

    /** Started now, stopped once the transaction has committed or rolled back. */
    private Observation observeUntilTransactionEnds(UUID registryId) {
        Observation observation = Observation.createNotStarted(COMMIT_OBSERVATION, observations)
                .contextualName("registry sync commit")
                .highCardinalityKeyValue("registry.id", registryId.toString())
                .start();
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                observation.lowCardinalityKeyValue("outcome", status == STATUS_COMMITTED ? "committed" : "rolled_back")
                        .stop();
            }
        });
        return observation;
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

    /** What one batch needs written: rows to insert, rows to rewrite, sources alone, card freshness alone. */
    private record BatchWrites(List<RowWrite> newRows, List<RowWrite> changedRows, List<RowWrite> sourceWrites,
                               List<CardFreshness> freshnessWrites) {
        BatchWrites() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    /** Compares one batch with the stored rows and writes what changed. */
    private void apply(Tally tally, Map<String, StoredRow> stored, List<HandleResult> batch, Instant now) {
        BatchWrites writes = new BatchWrites();
        for (HandleResult result : batch) {
            classify(tally, stored, result, now, writes);
        }
        Set<String> refused = writeRows(tally, writes.newRows(), writes.changedRows(), now);
        List<String> added = new ArrayList<>();
        for (RowWrite write : writes.newRows()) {
            if (!refused.contains(write.handle())) {
                added.add(write.handle());
                writes.sourceWrites().add(write);
                tally.tagDeltas.added(write.fields().tags());
            }
        }
        for (RowWrite write : writes.changedRows()) {
            if (!refused.contains(write.handle())) {
                tally.updated++;
                writes.sourceWrites().add(write);
                tally.tagDeltas.removed(stored.get(write.handle()).tags());
                tally.tagDeltas.added(write.fields().tags());
            }
        }
        catalog.clearTombstones(tally.registryId, added);
        catalog.upsertSources(tally.registryId, writes.sourceWrites(), properties.writeBatchSize());
        catalog.updateCardFreshness(tally.registryId, writes.freshnessWrites(), properties.writeBatchSize());
        tally.added += added.size();
    }

    /** Counts one handle's result and adds what it needs written. */
    private void classify(Tally tally, Map<String, StoredRow> stored, HandleResult result, Instant now,
                          BatchWrites writes) {
        if (result instanceof HandleResult.NotModified) {
            tally.unchanged++;
        } else if (result instanceof HandleResult.CardRevalidated revalidated) {
            // The agent is unchanged; only when to ask for its card next is: no row, no generation.
            tally.unchanged++;
            writes.freshnessWrites().add(new CardFreshness(revalidated.handle(), revalidated.cardFreshUntil()));
        } else if (result instanceof HandleResult.Gone gone) {
            if (stored.containsKey(gone.handle())) {
                tally.removals.add(gone.handle());
            }
        } else if (result instanceof HandleResult.Failed f) {
            tally.failed++;
            tally.error(new SyncError(now, f.handle(), f.kind(), f.message()));
        } else if (result instanceof HandleResult.Fetched f) {
            classifyFetched(tally, stored.get(f.handle()), f.write(), now, writes);
        }
    }

    private void classifyFetched(Tally tally, StoredRow old, RowWrite write, Instant now, BatchWrites writes) {
        tally.fetched++;
        if (write.cardError() != null) {
            // operators get the detail the public row leaves out
            tally.error(new SyncError(now, write.handle(), "card",
                    write.cardErrorDetail() != null ? write.cardErrorDetail() : write.cardError()));
        }
        if (old == null) {
            writes.newRows().add(write);
        } else if (!Arrays.equals(old.contentHash(), write.fields().contentHash()) || !old.proofChecked()) {
            // a row without a proof status is rewritten once to get one, even were its hash equal
            writes.changedRows().add(write);
        } else {
            tally.unchanged++;
            if (!old.hasRecord() || !Objects.equals(old.recordEtag(), write.recordEtag())
                    || !Objects.equals(old.cardEtag(), write.cardEtag())
                    || !Objects.equals(old.cardLastModified(), write.cardLastModified())
                    || !Objects.equals(old.cardFreshUntil(), write.cardFreshUntil())
                    || !Objects.equals(old.cardUrl(), write.cardUrl())) {
                writes.sourceWrites().add(write);
            }
        }
    }

    /**
     * Inserts the new rows and rewrites the changed ones under one savepoint; when the database refuses
     * one for its data, again row by row, setting the refused ones aside.
     *
     * @return the handles of the rows the database refused (nothing of theirs was written)
     */
    private Set<String> writeRows(Tally tally, List<RowWrite> newRows, List<RowWrite> changedRows, Instant now) {
        if (newRows.isEmpty() && changedRows.isEmpty()) {
            return Set.of();
        }
        try {
            savepoint.executeWithoutResult(status -> {
                // loaded under the registry's lock: none of the new rows exists
                if (!newRows.isEmpty()) {
                    catalog.insertRows(tally.registryId, newRows, properties.writeBatchSize());
                }
                if (!changedRows.isEmpty()) {
                    catalog.upsertRows(tally.registryId, changedRows, properties.writeBatchSize());
                }
            });
            return Set.of();
        } catch (DataAccessException e) {
            if (refusal(e) == null) {
                throw e;
            }
            log.warn("registry {}: the database refused a row of a batch of {}; writing it row by row",
                    tally.registryId, newRows.size() + changedRows.size());
        }
        Set<String> refused = new HashSet<>();
        for (RowWrite row : newRows) {
            writeOne(tally, row, refused, now, () -> catalog.insertRows(tally.registryId, List.of(row), 1));
        }
        for (RowWrite row : changedRows) {
            writeOne(tally, row, refused, now, () -> catalog.upsertRows(tally.registryId, List.of(row), 1));
        }
        return refused;
    }

    private void writeOne(Tally tally, RowWrite row, Set<String> refused, Instant now, Runnable write) {
        try {
            savepoint.executeWithoutResult(status -> write.run());
        } catch (DataAccessException e) {
            String reason = refusal(e);
            if (reason == null) {
                throw e;
            }
            refused.add(row.handle());
            // counted as failed, like a handle that could not be fetched, not as fetched
            tally.fetched--;
            tally.failed++;
            tally.error(new SyncError(now, row.handle(), "refused_by_database", reason));
            log.warn("registry {}: the database refused the row of handle {}: {}", tally.registryId,
                    row.handle(), reason);
        }
    }

    /**
     * The database's reason when it refused a row for the row's own data: a data exception (class 22,
     * e.g. a value it cannot store), a program limit (class 54, e.g. an index entry over its maximum)
     * or a check constraint (23514). Null for anything else (a lost connection, a lock timeout, a
     * unique key another writer took): the commit fails as before and the sync is retried.
     */
    private static String refusal(DataAccessException e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                // a batch's own exception names the statement with its values; the server's error is the last one chained
                SQLException last = sql;
                for (int i = 0; i < 10 && last.getNextException() != null && last.getNextException() != last; i++) {
                    last = last.getNextException();
                }
                String state = last.getSQLState() != null ? last.getSQLState() : sql.getSQLState();
                if (state != null && (state.startsWith("22") || state.startsWith("54") || state.equals("23514"))) {
                    String message = String.valueOf(last.getMessage());
                    int line = message.indexOf('\n');
                    message = line < 0 ? message : message.substring(0, line);
                    return message.length() <= 300 ? message : message.substring(0, 300) + "…";
                }
                return null;
            }
        }
        return null;
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
