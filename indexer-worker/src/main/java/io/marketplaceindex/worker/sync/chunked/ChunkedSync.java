package io.marketplaceindex.worker.sync.chunked;

import io.marketplaceindex.events.InvalidEventException;
import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.logging.SyncLogContext;
import io.marketplaceindex.rebuild.ProgressDetail;
import io.marketplaceindex.rebuild.ProgressStatus;
import io.marketplaceindex.registry.Listing;
import io.marketplaceindex.worker.catalog.CatalogStore;
import io.marketplaceindex.worker.catalog.StoredRow;
import io.marketplaceindex.worker.messaging.CommandSender;
import io.marketplaceindex.worker.registry.Registry;
import io.marketplaceindex.worker.registry.RegistryStore;
import io.marketplaceindex.worker.sync.CommitResult;
import io.marketplaceindex.worker.sync.HandleFetcher;
import io.marketplaceindex.worker.sync.HandleResult;
import io.marketplaceindex.worker.sync.SyncCommitter;
import io.marketplaceindex.worker.sync.SyncError;
import io.marketplaceindex.worker.sync.SyncInput;
import io.marketplaceindex.worker.sync.SyncProperties;
import io.marketplaceindex.worker.sync.SyncReporter;
import io.marketplaceindex.worker.sync.SyncRequest;
import io.marketplaceindex.worker.sync.SyncStateStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Syncs a very large registry over every worker replica instead of one consumer thread.
 *
 * <ol>
 * <li>{@link #start}: the registry's writer (it consumed the rebuild) records a run and publishes one
 *     {@link RegistryCommand.SyncChunk} per slice of the listing, keyed {@code runId:chunkIndex} so the
 *     chunks spread over partitions, and returns: its offset commits, its partition moves on.</li>
 * <li>{@link #processChunk}: any replica fetches a chunk (the same conditional fetch as a small sync)
 *     into staging (the index is untouched) and counts the chunk once. The one that counts the last
 *     chunk publishes {@link RegistryCommand.FinishSync}, keyed by registry id.</li>
 * <li>{@link #finish}: the registry's writer again applies the whole run with {@link SyncCommitter}:
 *     one transaction, one sweep against the full listing, one generation, one change event.</li>
 * </ol>
 * A run that is superseded (a newer sync of the registry), cancelled (registry disabled) or older than
 * {@code marketplace.sync.run-timeout} is never applied; its staging is dropped.
 */
@Service
public class ChunkedSync {

    private static final Logger log = LoggerFactory.getLogger(ChunkedSync.class);

    /**
     * Handle bytes per chunk command, whatever the chunk size: Kafka refuses records over 1 MiB by
     * default, and handles may be up to 512 code points of up to 4 bytes each.
     */
    static final int MAX_CHUNK_HANDLE_BYTES = 256 * 1024;

    private final SyncRunStore runs;
    private final RegistryStore registries;
    private final CatalogStore catalog;
    private final HandleFetcher fetcher;
    private final SyncCommitter committer;
    private final SyncStateStore state;
    private final SyncReporter reporter;
    private final CommandSender commands;
    private final TransactionTemplate tx;
    private final SyncProperties properties;
    private final Clock clock;
    private final MeterRegistry meters;

    public ChunkedSync(SyncRunStore runs, RegistryStore registries, CatalogStore catalog, HandleFetcher fetcher,
                SyncCommitter committer, SyncStateStore state, SyncReporter reporter, CommandSender commands,
                TransactionTemplate tx, SyncProperties properties, Clock clock, MeterRegistry meters) {
        this.runs = runs;
        this.registries = registries;
        this.catalog = catalog;
        this.fetcher = fetcher;
        this.committer = committer;
        this.state = state;
        this.reporter = reporter;
        this.commands = commands;
        this.tx = tx;
        this.properties = properties;
        this.clock = clock;
        this.meters = meters;
    }

    /**
     * The decision before any work: whether the request is answered already (a newer successful sync,
     * its own chunked run, a chunked run that began after it) or the caller must list the registry.
     * Joining a run in flight records the join here.
     */
    public SyncAdmission admit(SyncRequest request, Registry registry, String reason) {
        if (!request.force() && registry.lastSuccessStartedAt() != null
                && registry.lastSuccessStartedAt().isAfter(request.requestedAt())) {
            return new SyncAdmission.Coalesced(registry.lastSuccessStartedAt());
        }
        // A rebuild delivered again while (or after) its run went through needs nothing more. A run
        // still publishing when its rebuild comes back was interrupted: it is started again.
        Optional<SyncRun> own = runs.findForRebuild(registry.id(), request.rebuildId())
                .filter(run -> SyncRun.RUNNING.equals(run.status()) || SyncRun.DONE.equals(run.status()));
        if (own.isPresent()) {
            return new SyncAdmission.AlreadyHandled(own.get());
        }
        // A run in flight that began after the request answers it; superseding it would throw its
        // fetches away. When rebuilds come more often than a large registry's run takes (every
        // api-service replica's schedule, say), a run would otherwise be superseded again and again.
        Optional<SyncRun> inFlight = request.force() ? Optional.empty()
                : runs.findActive(registry.id()).filter(run -> run.startedAt().isAfter(request.requestedAt()));
        if (inFlight.isPresent()) {
            join(request, reason, inFlight.get());
            return new SyncAdmission.Joined(inFlight.get());
        }
        return new SyncAdmission.Proceed();
    }

    /**
     * The decision once the registry is listed: a large listing starts a chunked run (which ends any
     * older run itself); otherwise the caller syncs it, and this sync is newer than any chunked run
     * still in flight (the registry shrank below the threshold), which is superseded.
     */
    public SyncAdmission admitListed(SyncRequest request, Registry registry, Instant startedAt, String reason,
                                     Listing listing) {
        if (listing.handles().size() > properties.chunkThreshold()) {
            return new SyncAdmission.Chunked(start(request, registry, startedAt, reason, listing));
        }
        tx.executeWithoutResult(status -> endActive(registry.id(), SyncRun.SUPERSEDED,
                "superseded by a newer sync of the registry", request.rebuildId()));
        return new SyncAdmission.Proceed();
    }

    /**
     * Answers a request with the run in flight: the request's line stays 'syncing' until the run ends,
     * and the run's end finishes it. The reaper may end the run on another replica meanwhile; then the
     * line is finished here with the outcome the run had.
     */
    private void join(SyncRequest request, String reason, SyncRun run) {
        state.progressJoined(request.rebuildId(), run.registryId(), reason,
                ProgressDetail.joined(run.startedAt(), run.runId(), run.rebuildId()));
        runs.find(run.runId()).filter(ended -> !ended.active()).ifPresent(ended -> state.finishJoined(
                run.registryId(), run.rebuildId(), switch (ended.status()) {
                    case SyncRun.DONE -> ProgressStatus.OK;
                    case SyncRun.FAILED -> ProgressStatus.FAILED;
                    default -> ProgressStatus.SKIPPED;
                }));
    }

    /** The registry was disabled or removed: its in-flight run must not bring its rows back. Joins the caller's transaction. */
    public void cancelRuns(UUID registryId, String why) {
        tx.executeWithoutResult(status -> endActive(registryId, SyncRun.CANCELLED, why, null));
    }

    private void endActive(UUID registryId, String status, String why, UUID keepRebuildId) {
        for (SyncRun run : runs.endActive(registryId, status, why)) {
            if (!run.rebuildId().equals(keepRebuildId)) {
                state.progressFinished(run.rebuildId(), registryId, run.reason(), ProgressStatus.SKIPPED,
                        ProgressDetail.skipped(why, run.runId()));
            }
            log.info("chunked run {} of registry {} {}: {}", run.runId(), registryId, status, why);
        }
    }

    /**
     * Records the run and publishes its chunks. Leaves the registry 'syncing' and the rebuild's line
     * 'syncing' (with chunks done / total); {@link #finish} or the timeout ends both.
     */
    private SyncRun start(SyncRequest request, Registry registry, Instant startedAt, String reason, Listing listing) {
        List<List<String>> chunks = chunks(listing.handles(), properties.chunkSize());
        SyncRun run = new SyncRun(UUID.randomUUID(), registry.id(), request.rebuildId(), reason, request.force(),
                SyncRun.PUBLISHING, startedAt, listing.handles().size(), listing.malformedEntries(), chunks.size(), 0);
        tx.executeWithoutResult(status -> {
            endActive(registry.id(), SyncRun.SUPERSEDED, "superseded by a newer sync of the registry",
                    request.rebuildId());
            runs.create(run);
            state.progressChunks(run.rebuildId(), run.registryId(), progress(run, 0));
        });
        Instant now = clock.instant();
        List<CommandSender.Keyed> messages = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            messages.add(new CommandSender.Keyed(run.runId() + ":" + i, new RegistryCommand.SyncChunk(
                    run.rebuildId(), run.registryId(), now, run.runId(), i, chunks.size(), chunks.get(i))));
        }
        commands.sendAll(messages);
        runs.markRunning(run.runId());
        log.info("registry {} lists {} handles: chunked run {} of {} chunks published", registry.id(),
                run.listed(), run.runId(), chunks.size());
        return run;
    }

    /** Fetches one chunk into staging and counts it; the last chunk triggers the finish. */
    public void processChunk(RegistryCommand.SyncChunk chunk) {
        Optional<SyncRun> found = runs.find(chunk.runId());
        if (found.isEmpty() || !found.get().active()) {
            log.debug("{} ignored: its run is no longer active", chunk);
            return;
        }
        SyncRun run = found.get();
        if (!run.registryId().equals(chunk.registryId()) || run.chunksTotal() != chunk.chunkCount()) {
            throw new InvalidEventException(chunk + " does not match run " + run);
        }
        if (runs.isChunkCounted(run.runId(), chunk.chunkIndex())) {
            // A redelivery of a chunk that already counted. If the run is complete, the finish may
            // have been lost with the process that counted the last chunk: send it again (harmless).
            if (run.allChunksStaged()) {
                publishFinish(run);
            }
            return;
        }
        Optional<Registry> registry = registries.find(chunk.registryId()).filter(Registry::enabled);
        if (registry.isEmpty()) {
            log.debug("{} ignored: registry disabled or removed", chunk);
            return;
        }
        Map<String, StoredRow> stored = catalog.loadState(chunk.registryId(), chunk.handles());
        List<HandleResult> results = fetcher.fetchAll(registry.get(), chunk.handles(), stored);

        Integer done = tx.execute(status -> {
            Optional<SyncRun> locked = runs.lockActive(run.runId());
            if (locked.isEmpty() || !runs.recordChunk(run.runId(), chunk.chunkIndex(), chunk.handles().size())) {
                // ended meanwhile, or a concurrent delivery of this chunk counted first
                return null;
            }
            runs.stage(run.runId(), chunk.chunkIndex(), results, properties.writeBatchSize());
            int counted = runs.countChunk(run.runId());
            state.progressChunks(run.rebuildId(), run.registryId(), progress(run, counted));
            return counted;
        });
        if (done == null) {
            log.debug("{} dropped: its run ended, or it was counted by another delivery", chunk);
            return;
        }
        log.debug("{} staged: {} of {} chunks", chunk, done, run.chunksTotal());
        if (done == run.chunksTotal()) {
            publishFinish(run);
        }
    }

    /** Applies a complete run: the registry's rows, sync state and generation in one transaction. */
    public void finish(RegistryCommand.FinishSync command) {
        Optional<SyncRun> found = runs.find(command.runId());
        if (found.isEmpty() || !found.get().active()) {
            log.debug("{} ignored: its run is no longer active (applied, superseded, failed or cancelled)", command);
            return;
        }
        if (!found.get().registryId().equals(command.registryId())) {
            throw new InvalidEventException(command + " does not match run " + found.get());
        }
        if (registries.find(command.registryId()).filter(Registry::enabled).isEmpty()) {
            cancelRuns(command.registryId(), "registry disabled or removed");
            return;
        }
        Applied applied = tx.execute(status -> {
            // The registry's lock, then the run's row: the order registry removal takes them in too;
            // chunks and supersession take only the run's row, so no two of them wait on each other in a cycle.
            catalog.lockRegistry(command.registryId());
            Optional<SyncRun> locked = runs.lockActive(command.runId());
            if (locked.isEmpty()) {
                return null;
            }
            SyncRun run = locked.get();
            if (!run.allChunksStaged()) {
                log.warn("{} ignored: only {} of {} chunks are staged", command, run.chunksDone(), run.chunksTotal());
                return null;
            }
            Instant cutoff = clock.instant().minus(properties.runTimeout());
            if (run.startedAt().isBefore(cutoff)) {
                fail(run, "timeout", timeoutMessage(run));
                return null;
            }
            int staged = runs.stagedCount(run.runId());
            if (staged != run.listed()) {
                // never apply a partial listing: the sweep would take the missing handles for removals
                fail(run, "internal", "chunked run " + run.runId() + " staged " + staged + " of " + run.listed()
                        + " handles; not applied");
                return null;
            }
            Set<String> listed = runs.stagedHandles(run.runId());
            // the run's bookkeeping goes before the commit's shared tail: deleting a large staging
            // must not keep other registries' commits waiting for the tag counters and the generation
            CommitResult committed = committer.commit(new SyncInput(run.registryId(), run.startedAt(), listed,
                    run.malformed(), run.force(), runs.stagedResults(run.runId())), () -> {
                runs.finish(run.runId(), SyncRun.DONE, null);
                runs.deleteStaging(run.runId());
            });
            return new Applied(run, committed);
        });
        if (applied == null) {
            return;
        }
        SyncRun run = applied.run();
        ProgressStatus status = reporter.committedRun(run.registryId(), run.rebuildId(), run.reason(),
                applied.committed(), run.runId(), run.chunksTotal());
        meters.timer("marketplace.sync.duration", "outcome", status.value())
                .record(Duration.between(run.startedAt(), clock.instant()));
    }

    /**
     * Fails every run older than the timeout: a replica died with a chunk that never came back, a
     * chunk went to the dead-letter topic, or the finish was lost. The registry keeps its rows.
     *
     * @return runs failed
     */
    int failTimedOutRuns() {
        Instant cutoff = clock.instant().minus(properties.runTimeout());
        List<SyncRun> failed = tx.execute(status -> {
            List<SyncRun> ended = runs.failStartedBefore(cutoff,
                    "did not finish within " + properties.runTimeout());
            ended.forEach(run -> recordFailure(run, "timeout", timeoutMessage(run)));
            return ended;
        });
        for (SyncRun run : failed) {
            // found by the reaper, outside any command: the line still names its registry and rebuild
            try (SyncLogContext ignored = SyncLogContext.open(run.registryId(), run.rebuildId())) {
                log.warn("registry {}: {}", run.registryId(), timeoutMessage(run));
            }
        }
        return failed.size();
    }

    /** @return finished runs purged */
    int purgeFinishedRuns() {
        return runs.purge(clock.instant().minus(properties.runRetention()));
    }

    private void fail(SyncRun run, String kind, String message) {
        runs.finish(run.runId(), SyncRun.FAILED, message);
        runs.deleteStaging(run.runId());
        recordFailure(run, kind, message);
        log.warn("registry {}: {}", run.registryId(), message);
    }

    private void recordFailure(SyncRun run, String kind, String message) {
        Instant now = clock.instant();
        // the detail names chunk counts and durations only, but the public text stays in the fixed vocabulary
        state.recordFailure(run.registryId(), run.startedAt(), now, "error", new SyncError(now, null, kind, message),
                "timeout".equals(kind) ? "registry: sync did not finish in time" : "registry: sync failed");
        state.progressFinished(run.rebuildId(), run.registryId(), run.reason(), ProgressStatus.FAILED,
                progress(run, run.chunksDone()).withError(message));
    }

    private String timeoutMessage(SyncRun run) {
        return "chunked run " + run.runId() + " did not finish within " + properties.runTimeout() + " ("
                + run.chunksDone() + " of " + run.chunksTotal() + " chunks staged); the registry keeps its rows";
    }

    private void publishFinish(SyncRun run) {
        commands.send(run.registryId().toString(),
                new RegistryCommand.FinishSync(run.rebuildId(), run.registryId(), clock.instant(), run.runId()));
    }

    private static ProgressDetail progress(SyncRun run, int chunksDone) {
        return ProgressDetail.chunks(run.runId(), run.listed(), chunksDone, run.chunksTotal());
    }

    /** Slices of at most {@code size} handles and {@link #MAX_CHUNK_HANDLE_BYTES} bytes, in listing order. */
    static List<List<String>> chunks(List<String> handles, int size) {
        List<List<String>> chunks = new ArrayList<>();
        List<String> current = new ArrayList<>();
        int bytes = 0;
        for (String handle : handles) {
            int length = handle.getBytes(StandardCharsets.UTF_8).length;
            if (!current.isEmpty() && (current.size() >= size || bytes + length > MAX_CHUNK_HANDLE_BYTES)) {
                chunks.add(List.copyOf(current));
                current.clear();
                bytes = 0;
            }
            current.add(handle);
            bytes += length;
        }
        if (!current.isEmpty()) {
            chunks.add(List.copyOf(current));
        }
        return chunks;
    }

    private record Applied(SyncRun run, CommitResult committed) {
    }
}
