package io.marketplaceindex.worker.sync;

import io.marketplaceindex.rebuild.ProgressDetail;
import io.marketplaceindex.rebuild.ProgressStatus;
import io.marketplaceindex.registry.Listing;
import io.marketplaceindex.registry.RegistryClient;
import io.marketplaceindex.registry.RegistryFetchException;
import io.marketplaceindex.tracing.TracingConfiguration;
import io.marketplaceindex.worker.catalog.CatalogStore;
import io.marketplaceindex.worker.catalog.StoredRow;
import io.marketplaceindex.worker.registry.Registry;
import io.marketplaceindex.worker.registry.RegistryStore;
import io.marketplaceindex.worker.sync.chunked.ChunkedSync;
import io.marketplaceindex.worker.sync.chunked.SyncAdmission;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Syncs one registry: reads its listing, fetches every record and card (conditionally, with
 * bounded concurrency), and hands the results to {@link SyncCommitter}. A listing larger than
 * {@code marketplace.sync.chunk-threshold} is handed to {@link ChunkedSync} instead, so that one huge
 * registry does not hold this consumer thread (and its partition) for the whole fetch. A registry that
 * cannot be listed keeps its rows; a handle that fails keeps its row; nothing here throws for bad
 * registry data.
 *
 * <p>A sync is a span of the trace of the command that asked for it ({@link #SYNC_OBSERVATION}); its
 * registry requests, its commit and its change event are its children.
 */
@Service
public class RegistrySyncer {

    /** A registry's sync, as a span; marketplace.sync.duration measures it. */
    static final String SYNC_OBSERVATION = TracingConfiguration.SPAN_ONLY + "sync";

    private static final Logger log = LoggerFactory.getLogger(RegistrySyncer.class);

    private final RegistryStore registries;
    private final CatalogStore catalog;
    private final SyncStateStore state;
    private final SyncCommitter committer;
    private final HandleFetcher fetcher;
    private final ChunkedSync chunked;
    private final SyncReporter reporter;
    private final RegistryClient client;
    private final Clock clock;
    private final MeterRegistry meters;
    private final ObservationRegistry observations;

    public RegistrySyncer(RegistryStore registries, CatalogStore catalog, SyncStateStore state, SyncCommitter committer,
                          HandleFetcher fetcher, ChunkedSync chunked, SyncReporter reporter, RegistryClient client,
                          Clock clock, MeterRegistry meters, ObservationRegistry observations) {
        this.registries = registries;
        this.catalog = catalog;
        this.state = state;
        this.committer = committer;
        this.fetcher = fetcher;
        this.chunked = chunked;
        this.reporter = reporter;
        this.client = client;
        this.clock = clock;
        this.meters = meters;
        this.observations = observations;
    }

    public void sync(SyncRequest request) {
        String reason = request.reason().name().toLowerCase(Locale.ROOT).replace('_', '-');
        Observation.createNotStarted(SYNC_OBSERVATION, observations)
                .contextualName("registry sync")
                .lowCardinalityKeyValue("reason", reason)
                .highCardinalityKeyValue("registry.id", request.registryId().toString())
                .highCardinalityKeyValue("rebuild.id", request.rebuildId().toString())
                .observe(() -> sync(request, reason));
    }

    private void sync(SyncRequest request, String reason) {
        Optional<Registry> found = registries.find(request.registryId());
        if (found.isEmpty() || !found.get().enabled()) {
            state.progressFinished(request.rebuildId(), request.registryId(), reason, ProgressStatus.SKIPPED,
                    ProgressDetail.skipped(found.isEmpty() ? "unknown registry" : "registry disabled"));
            return;
        }
        Registry registry = found.get();
        SyncAdmission admission = chunked.admit(request, registry, reason);
        if (admission instanceof SyncAdmission.Coalesced coalesced) {
            state.progressFinished(request.rebuildId(), registry.id(), reason, ProgressStatus.COALESCED,
                    ProgressDetail.coalesced(coalesced.satisfiedBySyncStartedAt()));
            return;
        }
        if (admission instanceof SyncAdmission.AlreadyHandled handled) {
            log.debug("rebuild {} of registry {} is handled by its chunked run {}", request.rebuildId(),
                    registry.id(), handled.run().runId());
            return;
        }
        if (admission instanceof SyncAdmission.Joined) {
            return;
        }
        Instant startedAt = clock.instant();
        Timer.Sample timer = Timer.start(meters);
        String outcome = ProgressStatus.FAILED.value();
        state.syncStarted(request.rebuildId(), registry.id(), reason, startedAt);
        try {
            outcome = syncListed(request, registry, startedAt, reason);
        } catch (RuntimeException e) {
            // Infrastructure trouble (database, broker): record it, then let the consumer retry. The
            // rebuild's line stays 'syncing' meanwhile (a follower must not take the first attempt for
            // the outcome); the consumer ends it as failed if every attempt fails (abandoned).
            SyncError error = new SyncError(clock.instant(), null, "internal", String.valueOf(e.getMessage()));
            state.recordFailure(registry.id(), startedAt, clock.instant(), "error", error,
                    "registry: " + RegistryFetchException.publicMessage(e));
            state.progressRetrying(request.rebuildId(), registry.id(), error.message());
            throw e;
        } finally {
            timer.stop(meters.timer("marketplace.sync.duration", "outcome", outcome));
        }
    }

    /** Every attempt at the sync a command asked for failed: its rebuild's line ends as failed. */
    public void abandoned(UUID rebuildId, UUID registryId, String error) {
        state.progressAbandoned(rebuildId, registryId, error);
    }

    private String syncListed(SyncRequest request, Registry registry, Instant startedAt, String reason) {
        if (registry.tokenError() != null) {
            // Fetching without the token would only collect 401s; the operator must fix the key.
            SyncError error = new SyncError(clock.instant(), null, "token", registry.tokenError());
            state.recordFailure(registry.id(), startedAt, clock.instant(), "error", error, "registry: internal error");
            state.progressFinished(request.rebuildId(), registry.id(), reason, ProgressStatus.FAILED,
                    ProgressDetail.failed("error", registry.tokenError()));
            log.error("registry {} not synced: {}", registry.id(), registry.tokenError());
            return ProgressStatus.FAILED.value();
        }
        Listing listing;
        try {
            listing = client.listHandles(registry.endpoint());
        } catch (RegistryFetchException e) {
            SyncError error = new SyncError(clock.instant(), null, e.kind().name().toLowerCase(Locale.ROOT),
                    e.getMessage());
            state.recordFailure(registry.id(), startedAt, clock.instant(), e.compatibleStatus(), error,
                    "registry: " + e.publicMessage());
            state.progressFinished(request.rebuildId(), registry.id(), reason, ProgressStatus.FAILED,
                    ProgressDetail.failed(e.compatibleStatus(), e.getMessage()));
            log.warn("registry {} could not be listed: {}", registry.id(), e.getMessage());
            return ProgressStatus.FAILED.value();
        }
        if (chunked.admitListed(request, registry, startedAt, reason, listing) instanceof SyncAdmission.Chunked) {
            return "chunked";
        }

        Map<String, StoredRow> stored = catalog.loadState(registry.id());
        List<HandleResult> results = fetcher.fetchAll(registry, listing.handles(), stored);
        CommitResult committed = committer.commit(new SyncInput(registry.id(), startedAt,
                new HashSet<>(listing.handles()), listing.malformedEntries(), request.force(),
                HandleResults.of(results)));
        return reporter.committed(registry.id(), request.rebuildId(), reason, committed).value();
    }
}
