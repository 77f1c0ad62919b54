package io.marketplaceindex.worker.sync;

import io.marketplaceindex.agent.AgentIndexFields;
import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.Handles;
import io.marketplaceindex.events.CatalogChanged;
import io.marketplaceindex.registry.Fetched;
import io.marketplaceindex.registry.Listing;
import io.marketplaceindex.registry.RegistryClient;
import io.marketplaceindex.registry.RegistryEndpoint;
import io.marketplaceindex.registry.RegistryFetchException;
import io.marketplaceindex.worker.catalog.CatalogChangePublisher;
import io.marketplaceindex.worker.catalog.CatalogStore;
import io.marketplaceindex.worker.catalog.StoredRow;
import io.marketplaceindex.worker.registry.Registry;
import io.marketplaceindex.worker.registry.RegistryStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Syncs one registry: reads its listing, fetches every record and card (conditionally, with
 * bounded concurrency), and hands the results to {@link SyncCommitter}. A registry that cannot
 * be listed keeps its rows; a handle that fails keeps its row; nothing here throws for bad
 * registry data.
 */
@Service
public class RegistrySyncer {

    private static final Logger log = LoggerFactory.getLogger(RegistrySyncer.class);

    private final RegistryStore registries;
    private final CatalogStore catalog;
    private final SyncStateStore state;
    private final SyncCommitter committer;
    private final CatalogChangePublisher changes;
    private final RegistryClient client;
    private final AgentNormalizer normalizer;
    private final JsonMapper json;
    private final ExecutorService fetchExecutor;
    private final SyncProperties properties;
    private final Clock clock;
    private final MeterRegistry meters;

    public RegistrySyncer(RegistryStore registries, CatalogStore catalog, SyncStateStore state, SyncCommitter committer,
                          CatalogChangePublisher changes, RegistryClient client, AgentNormalizer normalizer,
                          JsonMapper json, ExecutorService fetchExecutor, SyncProperties properties, Clock clock,
                          MeterRegistry meters) {
        this.registries = registries;
        this.catalog = catalog;
        this.state = state;
        this.committer = committer;
        this.changes = changes;
        this.client = client;
        this.normalizer = normalizer;
        this.json = json;
        this.fetchExecutor = fetchExecutor;
        this.properties = properties;
        this.clock = clock;
        this.meters = meters;
    }

    public void sync(SyncRequest request) {
        String reason = request.reason().name().toLowerCase(Locale.ROOT).replace('_', '-');
        Optional<Registry> found = registries.find(request.registryId());
        if (found.isEmpty() || !found.get().enabled()) {
            state.progressFinished(request.rebuildId(), request.registryId(), reason, "skipped",
                    Map.of("reason", found.isEmpty() ? "unknown registry" : "registry disabled"));
            return;
        }
        Registry registry = found.get();
        if (!request.force() && registry.lastSuccessStartedAt() != null
                && registry.lastSuccessStartedAt().isAfter(request.requestedAt())) {
            // A sync that began after this request already finished: its result answers the request.
            state.progressFinished(request.rebuildId(), registry.id(), reason, "coalesced",
                    Map.of("satisfiedBySyncStartedAt", registry.lastSuccessStartedAt().toString()));
            return;
        }
        Instant startedAt = clock.instant();
        Timer.Sample timer = Timer.start(meters);
        String outcome = "failed";
        state.progressStarted(request.rebuildId(), registry.id(), reason);
        state.markSyncing(registry.id(), startedAt);
        try {
            outcome = syncListed(request, registry, startedAt, reason);
        } catch (RuntimeException e) {
            // Infrastructure trouble (database, broker): record it, then let the consumer retry.
            SyncError error = new SyncError(clock.instant(), null, "internal", String.valueOf(e.getMessage()));
            state.recordFailure(registry.id(), startedAt, clock.instant(), "error", error);
            state.progressFinished(request.rebuildId(), registry.id(), reason, "failed",
                    Map.of("error", error.message()));
            throw e;
        } finally {
            timer.stop(meters.timer("marketplace.sync.duration", "outcome", outcome));
        }
    }

    private String syncListed(SyncRequest request, Registry registry, Instant startedAt, String reason) {
        RegistryEndpoint endpoint = registry.endpoint();
        Listing listing;
        try {
            listing = client.listHandles(endpoint);
        } catch (RegistryFetchException e) {
            SyncError error = new SyncError(clock.instant(), null, e.kind().name().toLowerCase(Locale.ROOT),
                    e.getMessage());
            state.recordFailure(registry.id(), startedAt, clock.instant(), e.compatibleStatus(), error);
            state.progressFinished(request.rebuildId(), registry.id(), reason, "failed",
                    Map.of("status", e.compatibleStatus(), "error", e.getMessage()));
            log.warn("registry {} could not be listed: {}", registry.id(), e.getMessage());
            return "failed";
        }

        Map<String, StoredRow> stored = catalog.loadState(registry.id());
        List<HandleResult> results = fetchAll(registry, endpoint, listing.handles(), stored);

        Set<String> listed = new HashSet<>(listing.handles());
        Set<String> unlisted = new HashSet<>(stored.keySet());
        unlisted.removeAll(listed);
        String warning = null;
        Set<String> sweep = unlisted;
        if (!unlisted.isEmpty() && !request.force()) {
            if (listing.handles().isEmpty()) {
                warning = "refused to remove all " + stored.size() + " rows: the registry listed no handles";
                sweep = Set.of();
            } else if (unlisted.size() > properties.maxShrinkRatio() * stored.size()) {
                warning = "refused to remove " + unlisted.size() + " of " + stored.size()
                        + " rows (more than " + Math.round(properties.maxShrinkRatio() * 100)
                        + " %); rebuild with force to accept the shrunken listing";
                sweep = Set.of();
            }
        }
        List<SyncError> errors = new ArrayList<>();
        Instant now = clock.instant();
        for (HandleResult result : results) {
            if (result instanceof HandleResult.Failed f) {
                errors.add(new SyncError(now, f.handle(), f.kind(), f.message()));
            } else if (result instanceof HandleResult.Fetched f && f.cardError() != null) {
                errors.add(new SyncError(now, f.handle(), "card", f.cardError()));
            }
        }
        if (listing.malformedEntries() > 0) {
            errors.add(new SyncError(now, null, "malformed_listing",
                    listing.malformedEntries() + " listing entries were not usable handles and were skipped"));
        }
        if (warning != null) {
            errors.add(new SyncError(now, null, "shrink_guard", warning));
            log.warn("registry {}: {}", registry.id(), warning);
        }
        errors = errors.size() > SyncStateStore.MAX_RECENT_ERRORS
                ? errors.subList(0, SyncStateStore.MAX_RECENT_ERRORS) : errors;

        Timer.Sample commitTimer = Timer.start(meters);
        CommitResult committed = committer.commit(registry.id(), startedAt, listing.handles().size(),
                listing.malformedEntries(), results, sweep, errors, warning);
        // the whole transaction, COMMIT included (see marketplace.sync.generation.wait for its lock)
        commitTimer.stop(meters.timer("marketplace.sync.commit"));
        SyncCounts counts = committed.counts();
        meters.counter("marketplace.sync.rows.written").increment(counts.added() + counts.updated() + counts.removed());
        if (committed.generation() > 0) {
            changes.publish(new CatalogChanged(CatalogChanged.VERSION, committed.generation(), registry.id(),
                    request.rebuildId(), counts.added(), counts.updated(), counts.removed(), clock.instant()));
        }
        String status = counts.changedRows() ? "ok" : "unchanged";
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("counts", counts);
        if (warning != null) {
            detail.put("warning", warning);
        }
        state.progressFinished(request.rebuildId(), registry.id(), reason, status, detail);
        log.info("registry {} synced: {}", registry.id(), counts);
        return status;
    }

    private List<HandleResult> fetchAll(Registry registry, RegistryEndpoint endpoint, List<String> handles,
                                        Map<String, StoredRow> stored) {
        Semaphore inFlight = new Semaphore(properties.concurrencyPerRegistry());
        List<Future<HandleResult>> futures = new ArrayList<>(handles.size());
        try {
            for (String handle : handles) {
                inFlight.acquire();
                futures.add(fetchExecutor.submit(() -> {
                    try {
                        return fetchOne(registry, endpoint, handle, stored.get(handle));
                    } finally {
                        inFlight.release();
                    }
                }));
            }
            List<HandleResult> results = new ArrayList<>(handles.size());
            for (Future<HandleResult> future : futures) {
                results.add(future.get());
            }
            return results;
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new IllegalStateException("sync of registry " + registry.id() + " interrupted", e);
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            throw new IllegalStateException("sync of registry " + registry.id() + " failed", e.getCause());
        }
    }

    private HandleResult fetchOne(Registry registry, RegistryEndpoint endpoint, String handle, StoredRow stored) {
        if (!Handles.isValid(handle)) {
            return new HandleResult.Failed(handle, "invalid_handle", "handle is blank, too long or has control characters");
        }
        try {
            boolean haveRecord = stored != null && stored.hasRecord();
            Fetched recordFetch = client.recordFetch(endpoint, handle,
                    haveRecord ? stored.recordEtag() : null);
            // null while an unchanged (304) record stays in the database, read only when needed
            JsonNode record = null;
            String recordEtag = null;
            boolean recordNotModified = false;
            switch (recordFetch.status()) {
                case NOT_FOUND, GONE -> {
                    return new HandleResult.Gone(handle, recordFetch.httpStatus());
                }
                case NOT_MODIFIED -> {
                    if (!haveRecord) {
                        return new HandleResult.Failed(handle, "malformed_record",
                                "record answered 304 to a request without a validator");
                    }
                    recordNotModified = true;
                    recordEtag = stored.recordEtag();
                }
                default -> {
                    record = recordFetch.body();
                    recordEtag = recordFetch.etag();
                }
            }
            String cardUrl;
            if (recordNotModified && stored.cardUrl() != null) {
                // An unchanged agent then costs two conditional requests and no database read.
                cardUrl = stored.cardUrl();
            } else {
                if (recordNotModified) {
                    StoredRecord loaded = storedRecord(registry, endpoint, handle, stored);
                    record = loaded.record();
                    recordEtag = loaded.etag();
                }
                HandleResult invalid = invalidRecord(handle, record);
                if (invalid != null) {
                    return invalid;
                }
                cardUrl = record.get("agentCardUrl").stringValue();
            }

            boolean haveCard = stored != null && stored.hasCard();
            JsonNode card = null;
            String cardEtag = null;
            String cardLastModified = null;
            String cardError = null;
            boolean cardNotModified = false;
            try {
                Fetched cardFetch = client.cardFetch(endpoint, cardUrl,
                        haveCard ? stored.cardEtag() : null, haveCard ? stored.cardLastModified() : null);
                switch (cardFetch.status()) {
                    case OK -> {
                        card = cardFetch.body();
                        cardEtag = cardFetch.etag();
                        cardLastModified = cardFetch.lastModified();
                    }
                    case NOT_MODIFIED -> cardNotModified = haveCard;
                    default -> cardError = "agent card answered HTTP " + cardFetch.httpStatus();
                }
                if (cardFetch.status() == Fetched.Status.NOT_MODIFIED && !haveCard) {
                    cardError = "agent card answered 304 to a request without a validator";
                }
            } catch (RegistryFetchException e) {
                cardError = e.getMessage();
                // Last good data: a card that fails now keeps the one fetched before.
                cardNotModified = haveCard;
            }
            if (recordNotModified && cardNotModified && cardError == null) {
                return new HandleResult.NotModified(handle);
            }
            if (record == null) {
                // The record is unchanged but the card is not (or failed): the agent is rebuilt
                // from the stored record.
                StoredRecord loaded = storedRecord(registry, endpoint, handle, stored);
                record = loaded.record();
                recordEtag = loaded.etag();
                HandleResult invalid = invalidRecord(handle, record);
                if (invalid != null) {
                    return invalid;
                }
            }
            if (cardNotModified) {
                card = catalog.storedCard(registry.id(), handle).map(json::readTree).orElse(null);
                cardEtag = stored.cardEtag();
                cardLastModified = stored.cardLastModified();
            }
            if (card != null && !card.isObject()) {
                cardError = "agent card is not a JSON object";
                card = null;
            }
            Optional<ObjectNode> agent = normalizer.normalize(record, card, registry.ref());
            if (agent.isEmpty()) {
                return new HandleResult.Failed(handle, "malformed_record", "record lacks a string handle or agentCardUrl");
            }
            return new HandleResult.Fetched(handle, agent.get(), AgentIndexFields.of(agent.get()), record, card,
                    recordEtag, cardEtag, cardLastModified, cardError);
        } catch (RegistryFetchException e) {
            return new HandleResult.Failed(handle, e.kind().name().toLowerCase(Locale.ROOT), e.getMessage());
        }
    }

    private record StoredRecord(JsonNode record, String etag) {
    }

    /** The stored record of a handle whose record answered 304, or the record fetched again when none is on file. */
    private StoredRecord storedRecord(Registry registry, RegistryEndpoint endpoint, String handle, StoredRow stored) {
        JsonNode record = catalog.storedRecord(registry.id(), handle).map(json::readTree).orElse(null);
        if (record != null) {
            return new StoredRecord(record, stored.recordEtag());
        }
        Fetched again = client.recordFetch(endpoint, handle, null);
        return new StoredRecord(again.body(), again.etag());
    }

    /** Why a record cannot be used, or null when it can. */
    private static HandleResult invalidRecord(String handle, JsonNode record) {
        if (record == null || !record.isObject()) {
            return new HandleResult.Failed(handle, "malformed_record", "record is not a JSON object");
        }
        JsonNode recordHandle = record.get("handle");
        if (recordHandle == null || !recordHandle.isString() || !handle.equals(recordHandle.stringValue())) {
            return new HandleResult.Failed(handle, "malformed_record", "record handle does not match the listed handle");
        }
        JsonNode cardUrl = record.get("agentCardUrl");
        if (cardUrl == null || !cardUrl.isString()) {
            return new HandleResult.Failed(handle, "malformed_record", "record has no string agentCardUrl");
        }
        return null;
    }
}
