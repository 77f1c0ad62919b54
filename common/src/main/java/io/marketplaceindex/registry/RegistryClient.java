package io.marketplaceindex.registry;

import io.marketplaceindex.registry.RegistryFetchException.Kind;
import io.marketplaceindex.tracing.TracingConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.util.Objects;

/**
 * Reads registries (the protocol is in docs/registry-protocol.md) while treating every byte they
 * send as hostile: SSRF guard on every connection, bounded bodies, a wall-clock deadline per
 * attempt, manual redirects, JSON-only content, and per-registry retry, circuit breaker and rate
 * limit.
 *
 * <p>Blocking by design: one pooled connection manager shared by all registries, called from the
 * caller's own bounded thread pools. Thread-safe; create one per process and close it on shutdown.
 *
 * <p>This class is the face callers use; the work is done by its parts: {@link RegistryGuards}
 * (retry, circuit breakers, rate limit), {@link RegistryTransport} (one attempt with its deadline,
 * redirect hops and meters), {@link ResponseBodies} (bounded, JSON-only bodies), {@link RegistryParsers}
 * (bodies into records and listings), {@link RequestUrls} (the URLs asked) and {@link FetchFailures}
 * (how failures read).
 */
public final class RegistryClient implements AutoCloseable {

    /**
     * The observation of each HTTP attempt: a span of the sync that asked, where tracing is set up.
     * Its duration is measured already (registry.http.duration): a span only.
     */
    public static final String FETCH_OBSERVATION = TracingConfiguration.SPAN_ONLY + "registry.fetch";

    private final RegistryClientSettings settings;
    private final RegistryGuards guards;
    private final RegistryTransport transport;
    private final RegistryParsers parsers = new RegistryParsers();

    /** A client whose requests are measured but not observed (no spans). */
    public RegistryClient(RegistryClientSettings settings, MeterRegistry meters) {
        this(settings, meters, ObservationRegistry.NOOP);
    }

    /**
     * @param observations every HTTP attempt is observed here ({@link #FETCH_OBSERVATION}), as a child of
     *                     the caller's current observation; {@link ObservationRegistry#NOOP} costs nothing
     */
    public RegistryClient(RegistryClientSettings settings, MeterRegistry meters, ObservationRegistry observations) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.guards = new RegistryGuards(settings, Objects.requireNonNull(meters, "meters"));
        this.transport = new RegistryTransport(settings, Objects.requireNonNull(observations, "observations"));
    }

    /** {@code GET {base}/v1/health}; the answer must be a JSON object with {@code "ok": true}. */
    public JsonNode health(RegistryEndpoint registry) {
        URI uri = RequestUrls.registryUri(registry, "/v1/health");
        JsonNode health = fetch(new FetchRequest<>(registry, FetchTarget.HEALTH, uri, settings.maxRecordBytes(),
                null, null, parsers::parseObject)).parsed();
        JsonNode ok = health.get("ok");
        if (ok == null || !ok.isBoolean() || !ok.booleanValue()) {
            throw new RegistryFetchException(Kind.MALFORMED, "health check answered ok="
                    + (ok == null ? "(missing)" : RegistryFetchException.safeText(ok.toString(), 40)),
                    uri.toString(), null, null);
        }
        return health;
    }

    /**
     * {@code GET {base}/v1/records}: every handle. Entries that are not usable handles are counted
     * and skipped; duplicates are dropped, keeping the first.
     */
    public Listing listHandles(RegistryEndpoint registry) {
        URI uri = RequestUrls.registryUri(registry, "/v1/records");
        return fetch(new FetchRequest<>(registry, FetchTarget.LISTING, uri, settings.maxListingBytes(), null, null,
                parsers::parseListing)).parsed();
    }

    /**
     * {@code GET {base}/v1/records/{handle}} with the handle encoded as one path segment.
     *
     * @param ifNoneMatch the ETag from the previous fetch, or null
     * @throws IllegalArgumentException when the handle is blank (a caller bug, not a registry fault)
     */
    public Fetched recordFetch(RegistryEndpoint registry, String handle, String ifNoneMatch) {
        Objects.requireNonNull(handle, "handle");
        if (handle.isBlank()) {
            throw new IllegalArgumentException("handle is blank");
        }
        URI uri = RequestUrls.registryUri(registry, "/v1/records/" + RequestUrls.encodePathSegment(handle));
        return Answer.toFetched(fetch(new FetchRequest<>(registry, FetchTarget.RECORD, uri, settings.maxRecordBytes(),
                ifNoneMatch, null, parsers::parseObject)));
    }

    /**
     * {@code GET {cardUrl}}: the agent card named by a record. The URL comes from the registry,
     * so it is checked (absolute http(s), no credentials) and its host vetted like any other.
     * The registry's token goes along only when the registry is set to send it to its cards
     * ({@link RegistryEndpoint#sendTokenToCards()}) and the card shares the registry's origin.
     */
    public Fetched cardFetch(RegistryEndpoint registry, String cardUrl, String ifNoneMatch, String ifModifiedSince) {
        Objects.requireNonNull(cardUrl, "cardUrl");
        URI uri = RequestUrls.parseCardUrl(cardUrl);
        return Answer.toFetched(fetch(new FetchRequest<>(registry, FetchTarget.CARD, uri, settings.maxCardBytes(),
                ifNoneMatch, ifModifiedSince, parsers::parseObject)));
    }

    /** Drops the retry, circuit and rate-limit state of a registry that was removed. */
    public void forget(String registryId) {
        guards.forget(registryId);
    }

    @Override
    public void close() {
        transport.close();
    }

    private <T> Answer<T> fetch(FetchRequest<T> request) {
        Objects.requireNonNull(request.registry(), "registry");
        return guards.call(request.registry(), request.target(), request.start(),
                meters -> transport.attempt(request, meters));
    }
}
