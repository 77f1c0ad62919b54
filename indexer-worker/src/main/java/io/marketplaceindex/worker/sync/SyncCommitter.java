package io.marketplaceindex.worker.sync;

import io.marketplaceindex.worker.catalog.CatalogStore;
import io.marketplaceindex.worker.catalog.RowWrite;
import io.marketplaceindex.worker.catalog.StoredRow;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Commits one registry's sync in a single transaction: rows, sources, removals with tombstones,
 * tag counts, the generation bump and the registry's sync state. Readers therefore see either
 * the registry's old rows or its new rows, never a mix and never an empty registry.
 */
@Component
class SyncCommitter {

    private final CatalogStore catalog;
    private final SyncStateStore state;
    private final JsonMapper json;
    private final SyncProperties properties;
    private final Clock clock;
    /**
     * Taking the next catalog generation waits for every other registry commit in flight: the row
     * lock it takes orders commits by generation and is held until this transaction commits.
     */
    private final Timer generationWait;

    SyncCommitter(CatalogStore catalog, SyncStateStore state, JsonMapper json, SyncProperties properties, Clock clock,
                  MeterRegistry meters) {
        this.catalog = catalog;
        this.state = state;
        this.json = json;
        this.properties = properties;
        this.clock = clock;
        this.generationWait = meters.timer("marketplace.sync.generation.wait");
    }

    /**
     * @param sweep handles to remove because a complete listing no longer names them (already
     *              vetted by the shrink guard); handles the registry answered 404/410 for are
     *              removed in any case
     */
    @Transactional
    CommitResult commit(UUID registryId, Instant startedAt, int listed, int malformed, List<HandleResult> results,
                        Set<String> sweep, List<SyncError> errors, String warning) {
        catalog.lockRegistry(registryId);
        // Compared under the lock, so overlapping writers cannot skew the tag counts.
        Map<String, StoredRow> stored = catalog.loadState(registryId);

        List<RowWrite> rowWrites = new ArrayList<>();
        List<RowWrite> sourceWrites = new ArrayList<>();
        Map<String, Integer> tagDeltas = new HashMap<>();
        List<String> added = new ArrayList<>();
        Set<String> removals = new LinkedHashSet<>();
        int fetched = 0;
        int unchanged = 0;
        int updated = 0;
        int failed = 0;
        for (HandleResult result : results) {
            if (result instanceof HandleResult.NotModified) {
                unchanged++;
            } else if (result instanceof HandleResult.Gone gone) {
                if (stored.containsKey(gone.handle())) {
                    removals.add(gone.handle());
                }
            } else if (result instanceof HandleResult.Failed) {
                failed++;
            } else if (result instanceof HandleResult.Fetched f) {
                fetched++;
                StoredRow old = stored.get(f.handle());
                if (old == null) {
                    RowWrite write = toWrite(f);
                    added.add(f.handle());
                    rowWrites.add(write);
                    sourceWrites.add(write);
                    f.fields().tags().forEach(t -> tagDeltas.merge(t, 1, Integer::sum));
                } else if (!Arrays.equals(old.contentHash(), f.fields().contentHash())) {
                    RowWrite write = toWrite(f);
                    updated++;
                    rowWrites.add(write);
                    sourceWrites.add(write);
                    old.tags().forEach(t -> tagDeltas.merge(t, -1, Integer::sum));
                    f.fields().tags().forEach(t -> tagDeltas.merge(t, 1, Integer::sum));
                } else {
                    unchanged++;
                    if (!old.hasRecord() || !Objects.equals(old.recordEtag(), f.recordEtag())
                            || !Objects.equals(old.cardEtag(), f.cardEtag())
                            || !Objects.equals(old.cardLastModified(), f.cardLastModified())) {
                        // same agent, new validators: only the sources row is rewritten (serialized
                        // here, not for every fetched handle)
                        sourceWrites.add(toWrite(f));
                    }
                }
            }
        }
        sweep.stream().filter(stored::containsKey).forEach(removals::add);

        long generation = 0;
        if (!rowWrites.isEmpty() || !removals.isEmpty()) {
            long waitStarted = System.nanoTime();
            generation = catalog.nextGeneration();
            generationWait.record(System.nanoTime() - waitStarted, TimeUnit.NANOSECONDS);
            catalog.upsertRows(registryId, rowWrites, generation, properties.writeBatchSize());
            catalog.clearTombstones(registryId, added);
            for (List<String> tags : catalog.deleteRows(registryId, removals, generation)) {
                tags.forEach(t -> tagDeltas.merge(t, -1, Integer::sum));
            }
            catalog.applyTagDeltas(tagDeltas);
        }
        catalog.upsertSources(registryId, sourceWrites, properties.writeBatchSize());

        SyncCounts counts = new SyncCounts(listed, malformed, fetched, unchanged, added.size(), updated,
                removals.size(), failed);
        state.recordSuccess(registryId, startedAt, clock.instant(), counts, errors, warning);
        return new CommitResult(generation, counts);
    }

    private RowWrite toWrite(HandleResult.Fetched f) {
        return new RowWrite(f.handle(), json.writeValueAsString(f.agent()), f.fields(),
                json.writeValueAsString(f.record()), f.card() == null ? null : json.writeValueAsString(f.card()),
                f.recordEtag(), f.cardEtag(), f.cardLastModified(), f.cardError());
    }
}
