package io.marketplaceindex.worker.sync;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.Handles;
import io.marketplaceindex.agent.IndexedAgent;
import io.marketplaceindex.agent.RecordProofs;
import io.marketplaceindex.logging.SyncLogContext;
import io.marketplaceindex.registry.Fetched;
import io.marketplaceindex.registry.RegistryClient;
import io.marketplaceindex.registry.RegistryEndpoint;
import io.marketplaceindex.registry.RegistryFetchException;
import io.marketplaceindex.worker.catalog.CatalogStore;
import io.marketplaceindex.worker.catalog.RowWrite;
import io.marketplaceindex.worker.catalog.StoredRow;
import io.marketplaceindex.worker.registry.Registry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fetches listed handles: record and card, conditionally (ETag / Last-Modified against what the
 * index holds), normalized into the row that would be written. A card whose record answered 304
 * is not requested at all while it is fresh by its HTTP headers (capped by
 * {@link SyncProperties#cardMaxFreshness()}). Both sync paths use it: the
 * single-thread sync of a registry and each chunk of a chunked run. Bad registry data never throws;
 * it becomes a {@link HandleResult.Failed}.
 */
@Component
public class HandleFetcher {

    private final CatalogStore catalog;
    private final RegistryClient client;
    private final AgentNormalizer normalizer;
    private final JsonMapper json;
    private final ExecutorService fetchExecutor;
    private final SyncProperties properties;
    private final Clock clock;
    private final Counter freshCardsSkipped;
    private final ObservationRegistry observations;
    /**
     * Requests in flight per registry, shared by every sync and chunk of this process: chunks of one
     * registry run by several command runners must not multiply the load on that registry.
     */
    private final Map<UUID, Semaphore> inFlightByRegistry = new ConcurrentHashMap<>();

    HandleFetcher(CatalogStore catalog, RegistryClient client, AgentNormalizer normalizer, JsonMapper json,
                  ExecutorService fetchExecutor, SyncProperties properties, Clock clock, MeterRegistry meters,
                  ObservationRegistry observations) {
        this.catalog = catalog;
        this.client = client;
        this.normalizer = normalizer;
        this.json = json;
        this.fetchExecutor = fetchExecutor;
        this.properties = properties;
        this.clock = clock;
        this.observations = observations;
        this.freshCardsSkipped = Counter.builder("marketplace.sync.cards.fresh")
                .description("Agent cards not requested: their record answered 304 and the stored card was still fresh")
                .register(meters);
    }

    /**
     * Runs up to {@link SyncProperties#concurrencyPerRegistry()} lanes on the fetch pool, each taking
     * the next handle when its last one is done. A handle thus costs no task hand-over between threads
     * (a submit, a wake-up and a future per handle cost the worker about a tenth of its CPU), and the
     * registry still has as many requests in flight as it allows.
     *
     * @param stored what the index holds for (at least) these handles, for conditional requests
     * @return one result per handle, in the order of {@code handles}
     */
    public List<HandleResult> fetchAll(Registry registry, List<String> handles, Map<String, StoredRow> stored) {
        RegistryEndpoint endpoint = registry.endpoint();
        Semaphore inFlight = inFlightByRegistry.computeIfAbsent(registry.id(),
                id -> new Semaphore(properties.concurrencyPerRegistry()));
        HandleResult[] results = new HandleResult[handles.size()];
        AtomicInteger next = new AtomicInteger();
        int lanes = Math.min(properties.concurrencyPerRegistry(), handles.size());
        List<Future<?>> futures = new ArrayList<>(lanes);
        try {
            for (int lane = 0; lane < lanes; lane++) {
                // the lanes' requests are spans of the sync (or chunk) that runs them
                futures.add(fetchExecutor.submit(SyncLogContext.propagate(() -> {
                    try {
                        for (int i = next.getAndIncrement(); i < results.length; i = next.getAndIncrement()) {
                            String handle = handles.get(i);
                            // Per handle, not per lane: chunks of one registry on this worker share the permits.
                            inFlight.acquire();
                            try {
                                results[i] = fetchOne(registry, endpoint, handle, stored.get(handle));
                            } finally {
                                inFlight.release();
                            }
                        }
                        return null;
                    } catch (InterruptedException | RuntimeException e) {
                        next.set(results.length); // the other lanes stop after their current handle
                        throw e;
                    }
                }, observations)));
            }
            for (Future<?> future : futures) {
                future.get(); // also makes the lanes' writes to results visible here
            }
            return Arrays.asList(results);
        } catch (InterruptedException e) {
            next.set(results.length);
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
            RecordStep step = recordStep(registry, endpoint, handle, stored);
            return step.done() != null ? step.done() : cardStep(registry, endpoint, handle, stored, step);
        } catch (RegistryFetchException e) {
            return new HandleResult.Failed(handle, e.kind().name().toLowerCase(Locale.ROOT), e.getMessage());
        }
    }

    /**
     * The record as a step leaves it: {@code record} and {@code text} are null while an unchanged (304)
     * record stays in the database, read only when needed.
     */
    private record RecordState(JsonNode record, String text, String etag, boolean notModified) {
        RecordState loaded(StoredRecord stored) {
            return new RecordState(stored.record(), stored.text(), stored.etag(), notModified);
        }
    }

    /** What the record step decided: the handle's result already ({@code done}), or the card to ask for. */
    private record RecordStep(HandleResult done, RecordState record, String cardUrl) {
        static RecordStep done(HandleResult result) {
            return new RecordStep(result, null, null);
        }
    }

    /**
     * The card as the card step leaves it. {@code notModified}: the stored card stands (it answered 304,
     * or it failed and is kept as last good data); {@code freshUntil} is null whenever there is an error.
     */
    private record CardState(JsonNode card, String text, String etag, String lastModified, String error,
                             String errorDetail, boolean notModified, Instant freshUntil) {
        static CardState failed(String error, String errorDetail, boolean keepStored) {
            // a card kept as last good data is not fresh: the next sync asks for it again
            return new CardState(null, null, null, null, error, errorDetail, keepStored, null);
        }

        /** The stored card, as the index holds it, in place of the one that was not sent again. */
        CardState stored(String storedText, JsonNode storedCard, StoredRow row) {
            return new CardState(storedCard, storedText, row.cardEtag(), row.cardLastModified(), error, errorDetail,
                    notModified, freshUntil);
        }

        CardState notAnObject() {
            return new CardState(null, null, etag, lastModified, "agent card is not a JSON object", errorDetail,
                    notModified, null);
        }
    }

    private RecordStep recordStep(Registry registry, RegistryEndpoint endpoint, String handle, StoredRow stored) {
        // A row without a proof status predates proof checks: an unconditional request brings the record
        // to verify (once), where a 304 would keep the row as it is.
        boolean haveRecord = stored != null && stored.hasRecord() && stored.proofChecked();
        Fetched fetched = client.recordFetch(endpoint, handle, haveRecord ? stored.recordEtag() : null);
        RecordState state;
        switch (fetched.status()) {
            case NOT_FOUND, GONE -> {
                return RecordStep.done(new HandleResult.Gone(handle, fetched.httpStatus()));
            }
            case NOT_MODIFIED -> {
                if (!haveRecord) {
                    return RecordStep.done(new HandleResult.Failed(handle, "malformed_record",
                            "record answered 304 to a request without a validator"));
                }
                state = new RecordState(null, null, stored.recordEtag(), true);
            }
            default -> state = new RecordState(fetched.body(), SourceJson.storable(fetched.rawBody(), fetched.body(), json),
                    fetched.etag(), false);
        }
        if (state.notModified() && stored.hasCard()
                && isFresh(stored.cardFreshUntil(), properties.cardMaxFreshness(), clock.instant())) {
            // The record that names the card is unchanged and the card's host promised the card would
            // not change before then: no request, no database read, no write.
            freshCardsSkipped.increment();
            return RecordStep.done(new HandleResult.NotModified(handle));
        }
        if (state.notModified() && stored.cardUrl() != null) {
            // An unchanged agent then costs two conditional requests and no database read.
            return new RecordStep(null, state, stored.cardUrl());
        }
        if (state.notModified()) {
            state = state.loaded(storedRecord(registry, endpoint, handle, stored));
        }
        HandleResult invalid = invalidRecord(handle, state.record());
        return invalid != null ? RecordStep.done(invalid)
                : new RecordStep(null, state, state.record().get("agentCardUrl").stringValue());
    }

    private HandleResult cardStep(Registry registry, RegistryEndpoint endpoint, String handle, StoredRow stored,
                                  RecordStep step) {
        String cardUrl = step.cardUrl();
        // A record that names another card now: the stored card's validators say nothing about that one
        // (a Last-Modified can fool a different resource into a 304), and it is no last good data for it.
        boolean haveThisCard = stored != null && stored.hasCard() && cardUrl.equals(stored.cardUrl());
        CardState card = fetchCard(endpoint, cardUrl, stored, haveThisCard);
        RecordState record = step.record();
        if (record.notModified() && card.notModified() && card.error() == null) {
            return card.freshUntil() == null && stored.cardFreshUntil() == null
                    ? new HandleResult.NotModified(handle)
                    : new HandleResult.CardRevalidated(handle, card.freshUntil());
        }
        if (record.record() == null) {
            // The record is unchanged but the card is not (or failed): the agent is rebuilt from the stored record.
            record = record.loaded(storedRecord(registry, endpoint, handle, stored));
            HandleResult invalid = invalidRecord(handle, record.record());
            if (invalid != null) {
                return invalid;
            }
        }
        if (card.notModified()) {
            // stored again as the index holds it
            String text = catalog.storedCard(registry.id(), handle).orElse(null);
            card = card.stored(text, text == null ? null : json.readTree(text), stored);
        }
        if (card.card() != null && !card.card().isObject()) {
            card = card.notAnObject();
        }
        AgentNormalizer.Result agent = normalizer.normalizeOrExplain(record.record(), card.card(), registry.ref());
        if (agent.agent() == null) {
            // a record without a usable handle or card URL, or an agent over its budget even after every field's
            return new HandleResult.Failed(handle, agent.kind(), agent.reason());
        }
        // the proof is part of the agent as served (and so of its content hash): a changed verdict is a changed row
        RecordProofs.verify(record.record()).writeTo(agent.agent());
        IndexedAgent indexed = IndexedAgent.of(agent.agent());
        return new HandleResult.Fetched(new RowWrite(handle, indexed.json(), indexed.fields(), record.text(),
                cardUrl, card.text(), record.etag(), card.etag(), card.lastModified(), card.error(), card.freshUntil(),
                card.errorDetail() != null ? card.errorDetail() : card.error()));
    }

    /** One conditional card request; a failure is a card error, never the handle's. */
    private CardState fetchCard(RegistryEndpoint endpoint, String cardUrl, StoredRow stored, boolean haveThisCard) {
        try {
            Fetched fetched = client.cardFetch(endpoint, cardUrl,
                    haveThisCard ? stored.cardEtag() : null, haveThisCard ? stored.cardLastModified() : null);
            return switch (fetched.status()) {
                case OK -> new CardState(fetched.body(), SourceJson.storable(fetched.rawBody(), fetched.body(), json),
                        fetched.etag(), fetched.lastModified(), null, null, false,
                        freshUntil(fetched.freshFor(), properties.cardMaxFreshness(), clock.instant()));
                // a 304 renews the stored card's freshness (RFC 9111 §4.3.4)
                case NOT_MODIFIED -> haveThisCard
                        ? new CardState(null, null, null, null, null, null, true,
                                freshUntil(fetched.freshFor(), properties.cardMaxFreshness(), clock.instant()))
                        : CardState.failed("agent card answered 304 to a request without a validator", null, false);
                default -> CardState.failed("agent card answered HTTP " + fetched.httpStatus(), null, false);
            };
        } catch (RegistryFetchException e) {
            // The card error is served publicly: only its public form is stored with the agent.
            // Last good data: a card that fails now keeps the one fetched before.
            return CardState.failed("agent card: " + e.publicMessage(), e.getMessage(), haveThisCard);
        }
    }

    /** @param text what to store for it: the index's own text, or the registry's as {@link SourceJson} allows */
    private record StoredRecord(JsonNode record, String text, String etag) {
    }

    /**
     * Until when a card that just answered stays fresh: its own freshness, at most {@code cap};
     * null when it is not fresh or freshness is off ({@code cap} zero).
     */
    static Instant freshUntil(Duration freshFor, Duration cap, Instant now) {
        Duration lifetime = freshFor.compareTo(cap) < 0 ? freshFor : cap;
        return lifetime.isZero() || lifetime.isNegative() ? null : now.plus(lifetime);
    }

    /**
     * Whether a stored card may be used without asking its host. A time further ahead than the
     * current cap is not trusted: it was stored under a larger cap (the cap was lowered since, or
     * turned off) or before the clock stepped back.
     */
    static boolean isFresh(Instant freshUntil, Duration cap, Instant now) {
        return freshUntil != null && now.isBefore(freshUntil) && !freshUntil.isAfter(now.plus(cap));
    }

    /** The stored record of a handle whose record answered 304, or the record fetched again when none is on file. */
    private StoredRecord storedRecord(Registry registry, RegistryEndpoint endpoint, String handle, StoredRow stored) {
        Optional<String> text = catalog.storedRecord(registry.id(), handle);
        if (text.isPresent()) {
            // stored again as the index holds it
            return new StoredRecord(json.readTree(text.get()), text.get(), stored.recordEtag());
        }
        Fetched again = client.recordFetch(endpoint, handle, null);
        return new StoredRecord(again.body(),
                again.isOk() ? SourceJson.storable(again.rawBody(), again.body(), json) : null, again.etag());
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
