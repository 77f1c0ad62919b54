package io.marketplaceindex.registry;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.marketplaceindex.agent.Handles;
import io.marketplaceindex.registry.RegistryFetchException.Kind;
import io.marketplaceindex.tracing.TracingConfiguration;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Reads registries (the protocol is in docs/registry-protocol.md) while treating every byte they
 * send as hostile: SSRF guard on every connection, bounded bodies, a wall-clock deadline per
 * attempt, manual redirects, JSON-only content, and per-registry retry, circuit breaker and rate
 * limit.
 *
 * <p>Blocking by design: one pooled connection manager shared by all registries, called from the
 * caller's own bounded thread pools. Thread-safe; create one per process and close it on shutdown.
 *
 * <p>Order of the resilience layers, outermost first: circuit breaker (one outcome per logical
 * call, so a registry is judged by calls that failed even after retries), retry, rate limiter
 * (every HTTP attempt takes a permit), then the attempt itself with its redirect hops. Card
 * fetches have their own circuit per registry, because cards live on arbitrary hosts and a few
 * dead card hosts must not stop the registry's records from being read.
 */
public final class RegistryClient implements AutoCloseable {

    /**
     * The observation of each HTTP attempt: a span of the sync that asked, where tracing is set up.
     * Its duration is measured already (registry.http.duration): a span only.
     */
    public static final String FETCH_OBSERVATION = TracingConfiguration.SPAN_ONLY + "registry.fetch";

    private static final Logger log = LoggerFactory.getLogger(RegistryClient.class);

    /** Bodies of answers we do not use are read up to this size to keep the connection reusable. */
    private static final int DRAIN_LIMIT = 8 * 1024;
    private static final int MAX_CARD_URL_CHARS = 4096;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    /** Card hosts may serve application/a2a+json or similar; a strict Accept would earn a 406. */
    private static final String ACCEPT_JSON = "application/json, application/*+json;q=0.9, text/json;q=0.8";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private enum Target {
        HEALTH, LISTING, RECORD, CARD;

        final String tag = name().toLowerCase(Locale.ROOT);
        final String spanName = "GET registry " + tag;
    }

    /** What one attempt produced: a usable answer, already parsed when it is a 200. */
    private record Answer<T>(int status, T parsed, byte[] raw, String etag, String lastModified, Duration freshFor) {
    }

    /** Turns a 200 body into what the caller wants; throws {@link Kind#MALFORMED} when it cannot. */
    @FunctionalInterface
    private interface BodyParser<T> {
        T parse(byte[] raw, URI uri);
    }

    private record Guards(Retry retry, CircuitBreaker registryCircuit, CircuitBreaker cardCircuit, RateLimiter limiter,
                          RequestMeters meters) {
    }

    /**
     * One registry's request meters. Every request records its outcome, and registering a meter by name
     * and tags each time (building and hashing its id) cost more CPU than the rest of a request's
     * bookkeeping, so each meter is looked up here once: by target, then by outcome (a constant string).
     */
    private final class RequestMeters {
        private final String registryId;
        private final Map<Target, ConcurrentMap<String, Counter>> counters = new EnumMap<>(Target.class);
        private final Map<Target, ConcurrentMap<String, Timer>> timers = new EnumMap<>(Target.class);

        RequestMeters(String registryId) {
            this.registryId = registryId;
            for (Target target : Target.values()) {
                counters.put(target, new ConcurrentHashMap<>());
                timers.put(target, new ConcurrentHashMap<>());
            }
        }

        void record(Target target, String outcome, long nanos) {
            counters.get(target).computeIfAbsent(outcome, o -> Counter.builder("registry.http.requests")
                    .description("HTTP requests to registries and card hosts, by outcome")
                    .tag("registry", registryId)
                    .tag("target", target.tag)
                    .tag("outcome", o)
                    .register(meters)).increment();
            if (nanos > 0) {
                timers.get(target).computeIfAbsent(outcome, o -> Timer.builder("registry.http.duration")
                        .description("Duration of one attempt including redirects and body")
                        .tag("registry", registryId)
                        .tag("target", target.tag)
                        .tag("outcome", o)
                        .register(meters)).record(nanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    private final RegistryClientSettings settings;
    private final MeterRegistry meters;
    private final ObservationRegistry observations;
    private final CloseableHttpClient http;
    private final ScheduledThreadPoolExecutor deadlines;
    private final JsonMapper json;
    /** Reads one value out of a larger document, so what follows it is not "trailing". */
    private final ObjectReader subtreeReader;
    private final RetryConfig retryConfig;
    private final CircuitBreakerConfig circuitConfig;
    private final RateLimiterConfig rateLimiterConfig;
    private final ConcurrentMap<String, Guards> guards = new ConcurrentHashMap<>();

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
        this.meters = Objects.requireNonNull(meters, "meters");
        this.observations = Objects.requireNonNull(observations, "observations");
        this.json = JsonMapper.builder()
                // "{...} garbage" is not a record; Jackson would otherwise stop after the object
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        this.subtreeReader = json.readerFor(JsonNode.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.http = buildHttpClient(settings);
        this.deadlines = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, "registry-client-deadlines");
            t.setDaemon(true);
            return t;
        });
        // Nearly every deadline is cancelled long before it fires; do not let them pile up.
        this.deadlines.setRemoveOnCancelPolicy(true);
        this.retryConfig = RetryConfig.custom()
                .maxAttempts(settings.maxRetries() + 1)
                .retryOnException(this::isRetryable)
                .intervalBiFunction((attempt, outcome) -> backoffMillis(attempt,
                        outcome.isLeft() ? outcome.getLeft() : null))
                .build();
        this.circuitConfig = CircuitBreakerConfig.custom()
                .slidingWindow(settings.circuitSlidingWindowSize(), settings.circuitMinimumCalls(),
                        CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .failureRateThreshold(settings.circuitFailureRateThreshold())
                .waitDurationInOpenState(settings.circuitOpenDuration())
                .permittedNumberOfCallsInHalfOpenState(Math.min(3, settings.circuitSlidingWindowSize()))
                .recordException(RegistryClient::isServerFault)
                // A 401 or a garbage body says nothing about the registry being down.
                .ignoreException(t -> !isServerFault(t))
                .build();
        this.rateLimiterConfig = settings.rateLimitPerSecond() > 0
                ? RateLimiterConfig.custom()
                        // one permit per interval: paced requests rather than bursts each second
                        .limitForPeriod(1)
                        .limitRefreshPeriod(Duration.ofNanos(Math.max(1L,
                                (long) (TimeUnit.SECONDS.toNanos(1) / settings.rateLimitPerSecond()))))
                        .timeoutDuration(settings.totalRequestDeadline())
                        .build()
                : null;
    }

    private static CloseableHttpClient buildHttpClient(RegistryClientSettings s) {
        SsrfGuard guard = SsrfGuard.from(s);
        Timeout readTimeout = Timeout.of(s.responseTimeout());
        var pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(guard.resolver(SystemDefaultDnsResolver.INSTANCE))
                .setMaxConnPerRoute(s.maxConnectionsPerRoute())
                .setMaxConnTotal(s.maxConnectionsTotal())
                .setDefaultSocketConfig(SocketConfig.custom().setSoTimeout(readTimeout).setTcpNoDelay(true).build())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(s.connectTimeout()))
                        .setSocketTimeout(readTimeout)
                        .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                        .setTimeToLive(TimeValue.ofMinutes(5))
                        .build())
                .build();
        // No system properties: a JVM-wide proxy would resolve targets itself, bypassing the guard.
        return HttpClients.custom()
                .setConnectionManager(pool)
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent(s.userAgent())
                .evictIdleConnections(TimeValue.ofSeconds(30))
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setRedirectsEnabled(false)
                        .setAuthenticationEnabled(false)
                        .setConnectionRequestTimeout(Timeout.of(s.totalRequestDeadline()))
                        .setResponseTimeout(readTimeout)
                        .build())
                .build();
    }

    // ---------------------------------------------------------------- public API

    /** {@code GET {base}/v1/health}; the answer must be a JSON object with {@code "ok": true}. */
    public JsonNode health(RegistryEndpoint registry) {
        URI uri = registryUri(registry, "/v1/health");
        JsonNode health = fetch(registry, Target.HEALTH, uri, settings.maxRecordBytes(), null, null,
                this::parseObject).parsed();
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
        URI uri = registryUri(registry, "/v1/records");
        return fetch(registry, Target.LISTING, uri, settings.maxListingBytes(), null, null, this::parseListing)
                .parsed();
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
        URI uri = registryUri(registry, "/v1/records/" + encodePathSegment(handle));
        return toFetched(fetch(registry, Target.RECORD, uri, settings.maxRecordBytes(), ifNoneMatch, null,
                this::parseObject));
    }

    /**
     * {@code GET {cardUrl}}: the agent card named by a record. The URL comes from the registry,
     * so it is checked (absolute http(s), no credentials) and its host vetted like any other.
     * The registry's token goes along only when the registry is set to send it to its cards
     * ({@link RegistryEndpoint#sendTokenToCards()}) and the card shares the registry's origin.
     */
    public Fetched cardFetch(RegistryEndpoint registry, String cardUrl, String ifNoneMatch, String ifModifiedSince) {
        Objects.requireNonNull(cardUrl, "cardUrl");
        URI uri = parseCardUrl(cardUrl);
        return toFetched(fetch(registry, Target.CARD, uri, settings.maxCardBytes(), ifNoneMatch, ifModifiedSince,
                this::parseObject));
    }

    /** Drops the retry, circuit and rate-limit state of a registry that was removed. */
    public void forget(String registryId) {
        guards.remove(registryId);
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
        http.close(CloseMode.GRACEFUL);
    }

    // ---------------------------------------------------------------- resilience layers

    private <T> Answer<T> fetch(RegistryEndpoint registry, Target target, URI uri, long maxBytes,
                                String ifNoneMatch, String ifModifiedSince, BodyParser<T> parser) {
        Objects.requireNonNull(registry, "registry");
        Guards g = guards.computeIfAbsent(registry.registryId(), this::newGuards);
        CircuitBreaker circuit = target == Target.CARD ? g.cardCircuit() : g.registryCircuit();
        Supplier<Answer<T>> attempt = () -> {
            if (g.limiter() != null && !g.limiter().acquirePermission()) {
                g.meters().record(target, "rate_limited", 0);
                throw new RegistryFetchException(Kind.RATE_LIMITED, "local rate limit of "
                        + settings.rateLimitPerSecond() + " requests/s for registry " + registry.registryId()
                        + " left no permit within " + settings.totalRequestDeadline().toMillis() + " ms",
                        uri.toString(), null, null);
            }
            return attempt(registry, g.meters(), target, uri, maxBytes, ifNoneMatch, ifModifiedSince, parser);
        };
        try {
            return circuit.executeSupplier(Retry.decorateSupplier(g.retry(), attempt));
        } catch (CallNotPermittedException open) {
            g.meters().record(target, "circuit_open", 0);
            throw new RegistryFetchException(Kind.CIRCUIT_OPEN, "circuit open for registry "
                    + registry.registryId() + (target == Target.CARD ? " (cards)" : "")
                    + " after repeated failures; no request sent, next probe within "
                    + settings.circuitOpenDuration().toSeconds() + " s", uri.toString(), null, open);
        } catch (RegistryFetchException e) {
            throw redacted(e, registry);
        }
    }

    private Guards newGuards(String registryId) {
        Retry retry = Retry.of("registry-" + registryId, retryConfig);
        retry.getEventPublisher().onRetry(event -> log.debug("retrying registry {} (attempt {}, wait {} ms): {}",
                registryId, event.getNumberOfRetryAttempts(), event.getWaitInterval().toMillis(),
                event.getLastThrowable() == null ? "" : event.getLastThrowable().getMessage()));
        return new Guards(retry,
                CircuitBreaker.of("registry-" + registryId, circuitConfig),
                CircuitBreaker.of("registry-" + registryId + "-cards", circuitConfig),
                rateLimiterConfig == null ? null : RateLimiter.of("registry-" + registryId, rateLimiterConfig),
                new RequestMeters(registryId));
    }

    private boolean isRetryable(Throwable t) {
        if (Thread.currentThread().isInterrupted() || !(t instanceof RegistryFetchException e)) {
            return false;
        }
        return switch (e.kind()) {
            case IO, TIMEOUT -> true;
            case HTTP_STATUS -> e.httpStatus() != null && e.httpStatus() >= 500;
            case RATE_LIMITED -> e.httpStatus() != null
                    && (e.retryAfter() == null || e.retryAfter().compareTo(settings.maxRetryAfter()) <= 0);
            default -> false;
        };
    }

    /** Failures that say the registry is unhealthy, as opposed to the content being unusable. */
    private static boolean isServerFault(Throwable t) {
        if (!(t instanceof RegistryFetchException e)) {
            return false;
        }
        return switch (e.kind()) {
            case IO, TIMEOUT -> true;
            case HTTP_STATUS -> e.httpStatus() != null && e.httpStatus() >= 500;
            case RATE_LIMITED -> e.httpStatus() != null;
            default -> false;
        };
    }

    /** Retry-After when a 429 named one, else exponential backoff with "equal jitter". */
    private long backoffMillis(Integer attempt, Throwable failure) {
        if (failure instanceof RegistryFetchException e && e.retryAfter() != null) {
            return e.retryAfter().toMillis();
        }
        int n = Math.max(1, attempt == null ? 1 : attempt);
        long initial = settings.retryInitialBackoff().toMillis();
        long max = settings.retryMaxBackoff().toMillis();
        long base = n >= 31 ? max : Math.min(max, initial << (n - 1));
        long half = Math.max(1, base / 2);
        // Jitter spreads the retries of many workers that failed together over the window.
        return base - half + ThreadLocalRandom.current().nextLong(half + 1);
    }

    // ---------------------------------------------------------------- one attempt

    /** Deadline bookkeeping for one attempt: the timer cancels whatever hop is in flight. */
    private static final class Deadline {
        private final long deadlineNanos;
        private volatile HttpGet current;
        private volatile boolean fired;

        Deadline(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }

        void begin(HttpGet request) {
            current = request;
            if (passed()) {
                request.cancel();
            }
        }

        void fire() {
            fired = true;
            HttpGet request = current;
            if (request != null) {
                request.cancel();
            }
        }

        boolean passed() {
            return fired || System.nanoTime() - deadlineNanos >= 0;
        }
    }

    private <T> Answer<T> attempt(RegistryEndpoint registry, RequestMeters requestMeters, Target target, URI start,
                                  long maxBytes, String ifNoneMatch, String ifModifiedSince, BodyParser<T> parser) {
        long started = System.nanoTime();
        Deadline deadline = new Deadline(started + settings.totalRequestDeadline().toNanos());
        ScheduledFuture<?> timer = deadlines.schedule(deadline::fire,
                settings.totalRequestDeadline().toNanos(), TimeUnit.NANOSECONDS);
        Observation observation = observe(registry, target, start);
        String outcome = "io_error";
        try {
            Answer<T> answer = followRedirects(registry, target, start, maxBytes, ifNoneMatch, ifModifiedSince,
                    parser, deadline);
            outcome = switch (answer.status()) {
                case 200 -> "ok";
                case 304 -> "not_modified";
                default -> "client_error";
            };
            return answer;
        } catch (RegistryFetchException e) {
            outcome = outcomeOf(e);
            observation.error(e);
            throw e;
        } finally {
            timer.cancel(false);
            requestMeters.record(target, outcome, System.nanoTime() - started);
            observation.lowCardinalityKeyValue("outcome", outcome).stop();
        }
    }

    /** The started observation of one attempt; a no-op one, built for nothing, without tracing. */
    private Observation observe(RegistryEndpoint registry, Target target, URI uri) {
        Observation observation = Observation.createNotStarted(FETCH_OBSERVATION, observations);
        if (observation.isNoop()) {
            return observation;
        }
        // The URL as errors show it (no credentials, bounded); the token never leaves its header.
        return observation.contextualName(target.spanName)
                .lowCardinalityKeyValue("target", target.tag)
                .highCardinalityKeyValue("registry.id", registry.registryId())
                .highCardinalityKeyValue("url.full", shortUrl(uri))
                .start();
    }

    private <T> Answer<T> followRedirects(RegistryEndpoint registry, Target target, URI start, long maxBytes,
                                          String ifNoneMatch, String ifModifiedSince, BodyParser<T> parser,
                                          Deadline deadline) {
        boolean conditional = target == Target.RECORD || target == Target.CARD;
        // Once a hop leaves the registry's origin the token stays home, even if a later hop returns.
        // A card URL is the publisher's choice, not the registry's: no token unless the operator said so.
        boolean mayAuthorize = registry.bearerToken() != null && (target != Target.CARD || registry.sendTokenToCards());
        // Parsed only when there is a token to guard: it is a URI parse per request otherwise.
        Origin registryOrigin = mayAuthorize ? Origin.of(URI.create(registry.baseUrl())) : null;
        URI current = start;
        for (int hop = 0; ; hop++) {
            mayAuthorize = mayAuthorize && registryOrigin.equals(Origin.of(current));
            HttpGet get = new HttpGet(current);
            get.setHeader(HttpHeaders.ACCEPT, ACCEPT_JSON);
            if (mayAuthorize) {
                get.setHeader(HttpHeaders.AUTHORIZATION, "Bearer " + registry.bearerToken());
            }
            if (conditional && ifNoneMatch != null && !ifNoneMatch.isBlank()) {
                get.setHeader(HttpHeaders.IF_NONE_MATCH, ifNoneMatch);
            }
            if (conditional && ifModifiedSince != null && !ifModifiedSince.isBlank()) {
                get.setHeader(HttpHeaders.IF_MODIFIED_SINCE, ifModifiedSince);
            }
            deadline.begin(get);
            ClassicHttpResponse response;
            try {
                response = http.executeOpen(null, get, HttpClientContext.create());
            } catch (RegistryFetchException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                // The library can fail with an unchecked exception too (a connect that completes after the
                // deadline cancelled the exchange: "Endpoint not acquired"): one host's failure, never the sync's.
                throw translate(e, deadline, current);
            }
            boolean consumed = false;
            try {
                int code = response.getCode();
                if (REDIRECTS.contains(code)) {
                    Header location = response.getFirstHeader(HttpHeaders.LOCATION);
                    consumed = drain(response, deadline);
                    if (location == null || location.getValue().isBlank()) {
                        throw new RegistryFetchException(Kind.REDIRECT, "HTTP " + code
                                + " without a Location header from " + shortUrl(current), current.toString(), null, null);
                    }
                    if (hop >= settings.maxRedirects()) {
                        throw new RegistryFetchException(Kind.REDIRECT, "more than " + settings.maxRedirects()
                                + " redirects, last from " + shortUrl(current), current.toString(), null, null);
                    }
                    current = redirectTarget(current, location.getValue());
                    continue;
                }
                if (code == 200) {
                    Answer<T> answer = okAnswer(response, maxBytes, deadline, current, parser);
                    consumed = true;
                    return answer;
                }
                consumed = drain(response, deadline);
                return statusAnswer(response, code, conditional, ifNoneMatch, current);
            } finally {
                release(get, response, consumed);
            }
        }
    }

    private static <T> Answer<T> okAnswer(ClassicHttpResponse response, long maxBytes, Deadline deadline, URI uri,
                                          BodyParser<T> parser) {
        requireJsonContentType(response, uri);
        byte[] raw = readBounded(response.getEntity(), maxBytes, deadline, uri);
        return new Answer<>(200, parser.parse(raw, uri), raw, headerValue(response, HttpHeaders.ETAG),
                headerValue(response, HttpHeaders.LAST_MODIFIED), freshFor(response));
    }

    /** Any final status but 200: the body is never used, only the status and validators. */
    private <T> Answer<T> statusAnswer(ClassicHttpResponse response, int code, boolean conditional, String ifNoneMatch,
                                URI uri) {
        String etag = headerValue(response, HttpHeaders.ETAG);
        if (conditional && (code == 304 || code == 404 || code == 410)) {
            // A 304 need not repeat the ETag; the one we sent is still the valid one.
            String validator = code == 304 && etag == null ? ifNoneMatch : etag;
            // A 304 carries the freshness of the stored answer anew (RFC 9111 §4.3.4); a 404/410 has none we use.
            return new Answer<>(code, null, null, validator, headerValue(response, HttpHeaders.LAST_MODIFIED),
                    code == 304 ? freshFor(response) : Duration.ZERO);
        }
        if (code == 429) {
            Duration retryAfter = parseRetryAfter(headerValue(response, HttpHeaders.RETRY_AFTER));
            String wait = retryAfter == null ? "" : retryAfter.compareTo(settings.maxRetryAfter()) > 0
                    ? "; it asked to wait " + retryAfter.toSeconds() + " s, longer than the "
                            + settings.maxRetryAfter().toSeconds() + " s we wait"
                    : "; Retry-After " + retryAfter.toSeconds() + " s";
            throw new RegistryFetchException(Kind.RATE_LIMITED, "HTTP 429 (rate limited) from " + shortUrl(uri) + wait,
                    uri.toString(), 429, retryAfter, null);
        }
        throw new RegistryFetchException(Kind.HTTP_STATUS, "HTTP " + code + " from " + shortUrl(uri),
                uri.toString(), code, null);
    }

    private URI redirectTarget(URI from, String location) {
        URI next;
        try {
            next = from.resolve(new URI(location.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new RegistryFetchException(Kind.REDIRECT, "redirect from " + shortUrl(from)
                    + " to an invalid location", from.toString(), null, e);
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new RegistryFetchException(Kind.REDIRECT, "redirect from " + shortUrl(from)
                    + " to a non-http(s) location (" + RegistryFetchException.safeText(scheme, 20) + ")",
                    from.toString(), null, null);
        }
        if (next.getHost() == null || next.getRawUserInfo() != null) {
            throw new RegistryFetchException(Kind.REDIRECT, "redirect from " + shortUrl(from)
                    + " to a location without a usable host", from.toString(), null, null);
        }
        return next;
    }

    private static void requireJsonContentType(ClassicHttpResponse response, URI uri) {
        String contentType = headerValue(response, HttpHeaders.CONTENT_TYPE);
        if (contentType == null) {
            return;
        }
        int semicolon = contentType.indexOf(';');
        String mime = (semicolon >= 0 ? contentType.substring(0, semicolon) : contentType).trim().toLowerCase(Locale.ROOT);
        boolean json = mime.isEmpty() || mime.equals("application/json") || mime.equals("text/json")
                || (mime.startsWith("application/") && mime.endsWith("+json"));
        if (!json) {
            throw new RegistryFetchException(Kind.CONTENT_TYPE, "unexpected content type '"
                    + RegistryFetchException.safeText(mime, 60) + "' from " + shortUrl(uri) + " (expected JSON)",
                    uri.toString(), null, null);
        }
    }

    /** Reads the whole body, failing as soon as it passes {@code max} bytes or the deadline. */
    private static byte[] readBounded(HttpEntity entity, long max, Deadline deadline, URI uri) {
        if (entity == null) {
            return new byte[0];
        }
        long announced = entity.getContentLength();
        if (announced > max) {
            throw tooLarge(uri, max, "announces " + announced + " bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(announced >= 0 ? (int) announced : 8192);
        byte[] buffer = new byte[8192];
        long total = 0;
        try {
            InputStream in = entity.getContent();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                if (total > max) {
                    throw tooLarge(uri, max, "sent more");
                }
                // The read timeout restarts with every byte, so only this check stops a trickle.
                if (deadline.passed()) {
                    throw deadlineExceeded(uri, null);
                }
                out.write(buffer, 0, n);
            }
        } catch (RegistryFetchException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw translate(e, deadline, uri);
        }
        return out.toByteArray();
    }

    /** A record or card body: a JSON object, or {@link RegistryFetchException} ({@code MALFORMED}). */
    JsonNode parseObject(byte[] raw, URI uri) {
        JsonNode node;
        try {
            node = json.readTree(raw);
        } catch (JacksonException e) {
            throw malformedJson(uri, e);
        }
        if (node == null || !node.isObject()) {
            throw new RegistryFetchException(Kind.MALFORMED, "expected a JSON object from " + shortUrl(uri)
                    + ", got " + (node == null || node.isMissingNode() ? "an empty body" : node.getNodeType()
                    .name().toLowerCase(Locale.ROOT)), uri.toString(), null, null);
        }
        return node;
    }

    /**
     * Streams the listing rather than building a tree: a 16 MiB body of tiny entries would
     * otherwise become millions of nodes. Only the first {@code handles} array counts (duplicate
     * keys are a registry bug; the first is as good as any), and only an object {@code catalogProof}.
     */
    Listing parseListing(byte[] raw, URI uri) {
        Set<String> handles = new LinkedHashSet<>();
        int malformed = 0;
        boolean sawHandles = false;
        JsonNode proof = null;
        try (JsonParser p = json.createParser(raw)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new RegistryFetchException(Kind.MALFORMED, "expected a JSON object from " + shortUrl(uri),
                        uri.toString(), null, null);
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (!sawHandles && "handles".equals(name) && value == JsonToken.START_ARRAY) {
                    sawHandles = true;
                    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                        if (t == JsonToken.VALUE_STRING && isUsableHandle(p.getString())) {
                            handles.add(p.getString());
                        } else {
                            malformed++;
                            p.skipChildren();
                        }
                    }
                } else if (proof == null && "catalogProof".equals(name) && value == JsonToken.START_OBJECT) {
                    proof = subtreeReader.readValue(p);
                } else {
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new RegistryFetchException(Kind.MALFORMED, "trailing content after the listing from "
                        + shortUrl(uri), uri.toString(), null, null);
            }
        } catch (JacksonException e) {
            throw malformedJson(uri, e);
        }
        if (!sawHandles) {
            throw new RegistryFetchException(Kind.MALFORMED, "listing has no handles array from " + shortUrl(uri),
                    uri.toString(), null, null);
        }
        return new Listing(List.copyOf(handles), malformed, proof);
    }

    /**
     * Reads a small unwanted body so the connection can go back to the pool; gives up (and lets
     * {@link #release} discard the connection) when the body is large or slow.
     */
    private static boolean drain(ClassicHttpResponse response, Deadline deadline) {
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            return true;
        }
        if (entity.getContentLength() > DRAIN_LIMIT || entity.getContentLength() < 0) {
            return false;
        }
        try {
            readBounded(entity, DRAIN_LIMIT, deadline, null);
            return true;
        } catch (RegistryFetchException e) {
            log.debug("not reusing a connection whose unused body could not be drained: {}", e.getMessage());
            return false;
        }
    }

    /**
     * Closing a response whose body was not read to the end would make HttpClient drain the rest,
     * however large or slow; cancelling first drops the connection instead.
     */
    private static void release(HttpGet get, ClassicHttpResponse response, boolean consumed) {
        if (!consumed) {
            get.cancel();
        }
        try {
            response.close();
        } catch (IOException e) {
            // The answer (or the failure) is already decided; a close failure only costs a connection.
            log.debug("closing a registry response failed: {}", e.toString());
        }
    }

    private static Fetched toFetched(Answer<JsonNode> a) {
        Fetched.Status status = switch (a.status()) {
            case 200 -> Fetched.Status.OK;
            case 304 -> Fetched.Status.NOT_MODIFIED;
            case 404 -> Fetched.Status.NOT_FOUND;
            case 410 -> Fetched.Status.GONE;
            default -> throw new IllegalStateException("unexpected answer status " + a.status());
        };
        return new Fetched(status, a.status(), a.parsed(), a.raw(), a.etag(), a.lastModified(), a.freshFor());
    }

    // ---------------------------------------------------------------- failures

    private static RegistryFetchException translate(Exception e, Deadline deadline, URI uri) {
        String url = uri == null ? null : uri.toString();
        if (deadline.passed()) {
            return deadlineExceeded(uri, e);
        }
        SsrfGuard.RefusedAddressException refused = causeOfType(e, SsrfGuard.RefusedAddressException.class);
        if (refused != null) {
            return new RegistryFetchException(Kind.REFUSED_ADDRESS, refused.getMessage(), url, null, e);
        }
        if (e instanceof ConnectTimeoutException) {
            return new RegistryFetchException(Kind.TIMEOUT, "connect timed out: " + shortUrl(uri), url, null, e);
        }
        if (e instanceof SocketTimeoutException) {
            return new RegistryFetchException(Kind.TIMEOUT, "read timed out: " + shortUrl(uri), url, null, e);
        }
        if (e instanceof UnknownHostException) {
            return new RegistryFetchException(Kind.IO, "unknown host: " + shortUrl(uri), url, null, e);
        }
        return new RegistryFetchException(Kind.IO, e.getClass().getSimpleName() + " from " + shortUrl(uri)
                + (e.getMessage() == null ? "" : ": " + e.getMessage()), url, null, e);
    }

    private static RegistryFetchException malformedJson(URI uri, JacksonException e) {
        // Jackson's message quotes the offending input; keep only the location.
        return new RegistryFetchException(Kind.MALFORMED, "malformed JSON from " + shortUrl(uri)
                + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                + ", column " + e.getLocation().getColumnNr()), uri.toString(), null, e);
    }

    private static RegistryFetchException deadlineExceeded(URI uri, Throwable cause) {
        return new RegistryFetchException(Kind.TIMEOUT, "no complete answer within the total deadline: "
                + shortUrl(uri), uri == null ? null : uri.toString(), null, cause);
    }

    private static RegistryFetchException tooLarge(URI uri, long max, String detail) {
        return new RegistryFetchException(Kind.TOO_LARGE, "response too large: limit " + max + " bytes, "
                + detail + " (" + shortUrl(uri) + ")", uri == null ? null : uri.toString(), null, null);
    }

    /**
     * Belt and braces: messages are built from URLs and library texts that never see the token,
     * but should one ever echo it, it is cut out here.
     */
    private static RegistryFetchException redacted(RegistryFetchException e, RegistryEndpoint registry) {
        String token = registry.bearerToken();
        if (token == null || e.getMessage() == null || !e.getMessage().contains(token)) {
            return e;
        }
        return new RegistryFetchException(e.kind(), e.getMessage().replace(token, "(redacted)"), e.url(),
                e.httpStatus(), e.retryAfter(), null);
    }

    private static String outcomeOf(RegistryFetchException e) {
        return switch (e.kind()) {
            case HTTP_STATUS -> e.httpStatus() != null && e.httpStatus() >= 500 ? "server_error" : "client_error";
            case TIMEOUT -> "timeout";
            case TOO_LARGE -> "too_large";
            case REFUSED_ADDRESS -> "refused";
            case REDIRECT -> "redirect";
            case CONTENT_TYPE, MALFORMED -> "malformed";
            case CIRCUIT_OPEN -> "circuit_open";
            case RATE_LIMITED -> "rate_limited";
            case IO -> "io_error";
        };
    }

    // ---------------------------------------------------------------- URLs and headers

    private static URI registryUri(RegistryEndpoint registry, String path) {
        Objects.requireNonNull(registry, "registry");
        // baseUrl is normalized by RegistryEndpoint and path is ASCII built here: always a valid URI
        return URI.create(registry.baseUrl() + path);
    }

    private static URI parseCardUrl(String raw) {
        String trimmed = raw.trim();
        if (trimmed.length() > MAX_CARD_URL_CHARS) {
            throw badCardUrl("agent card url longer than " + MAX_CARD_URL_CHARS + " chars", trimmed, false, null);
        }
        URI uri;
        try {
            uri = new URI(trimmed);
            if (!isAscii(trimmed)) {
                // an ASCII URI is its own ASCII form: parsing that again would give the same URI
                uri = new URI(uri.toASCIIString());
            }
        } catch (URISyntaxException e) {
            throw badCardUrl("agent card url is not a valid URI: ", trimmed, true, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw badCardUrl("agent card url must be an absolute http(s) URL: ", trimmed, true, null);
        }
        if (uri.getRawUserInfo() != null) {
            throw badCardUrl("agent card url must not carry credentials: ", trimmed, true, null);
        }
        if (uri.getRawFragment() != null) {
            // Cut from the ASCII form as it stands: URI's multi-argument constructors quote every '%',
            // so rebuilding the URI would escape its escapes and ask for another resource.
            String ascii = uri.toASCIIString();
            uri = URI.create(ascii.substring(0, ascii.indexOf('#')));
        }
        return uri;
    }

    /**
     * A card URL that cannot be fetched. Its shown form is built only here: reducing it to what is safe
     * to show parses it once more, which every card of every sync would otherwise pay for.
     */
    private static RegistryFetchException badCardUrl(String message, String url, boolean showUrl, Exception cause) {
        String shown = RegistryFetchException.safeUrl(url);
        return new RegistryFetchException(Kind.MALFORMED, showUrl ? message + shown : message, shown, null, cause);
    }

    /**
     * Percent-encodes a handle as exactly one path segment: every byte of its UTF-8 form outside
     * RFC 3986 "unreserved" is escaped, so '/', '#', '?', ':' and spaces cannot change the URL's
     * structure. "." and ".." are escaped too, lest they read as dot segments.
     */
    static String encodePathSegment(String segment) {
        if (segment.equals(".") || segment.equals("..")) {
            return segment.replace(".", "%2E");
        }
        byte[] bytes = segment.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0x0f]);
            }
        }
        return sb.toString();
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** The index's own rule: a listing never drops a handle that the worker would index. */
    static boolean isUsableHandle(String handle) {
        return Handles.isValid(handle);
    }

    /** Taken once the answer is complete: a slow body counts against its freshness, never for it. */
    private static Duration freshFor(ClassicHttpResponse response) {
        List<String> cacheControl = new ArrayList<>();
        for (Header h : response.getHeaders(HttpHeaders.CACHE_CONTROL)) {
            cacheControl.add(h.getValue());
        }
        return HttpFreshness.freshFor(cacheControl, headerValue(response, HttpHeaders.EXPIRES),
                headerValue(response, HttpHeaders.DATE), headerValue(response, HttpHeaders.AGE), Instant.now());
    }

    private static String headerValue(ClassicHttpResponse response, String name) {
        Header h = response.getFirstHeader(name);
        return h == null ? null : h.getValue();
    }

    private static String shortUrl(URI uri) {
        return uri == null ? "(unknown url)" : RegistryFetchException.safeText(RegistryFetchException.safeUrl(uri.toString()), 160);
    }

    private static <T extends Throwable> T causeOfType(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /** Parses Retry-After as delta-seconds or an HTTP-date; null when absent or unreadable. */
    static Duration parseRetryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        if (v.chars().allMatch(Character::isDigit)) {
            // Absurd values saturate rather than overflow; the cap turns them into a failure.
            return v.length() > 9 ? Duration.ofDays(365) : Duration.ofSeconds(Long.parseLong(v));
        }
        try {
            Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            log.debug("ignoring unreadable Retry-After value");
            return null;
        }
    }

    /** Scheme, host and port: the unit that decides where the bearer token may go. */
    private record Origin(String scheme, String host, int port) {
        static Origin of(URI uri) {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
            int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
            return new Origin(scheme, host, port);
        }
    }
}
