package io.marketplaceindex.registry;

import io.marketplaceindex.registry.RegistryFetchException.Kind;
import io.marketplaceindex.registry.RequestUrls.Origin;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
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
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import java.io.IOException;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static io.marketplaceindex.registry.FetchFailures.shortUrl;

/**
 * One HTTP attempt, redirect hops included: the pooled client with the SSRF guard in its resolver,
 * a wall-clock deadline that cancels whatever hop is in flight, manual redirects that keep the
 * bearer token at the registry's origin, and the meters and observation of the attempt.
 */
final class RegistryTransport implements AutoCloseable {

    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    /** Card hosts may serve application/a2a+json or similar; a strict Accept would earn a 406. */
    private static final String ACCEPT_JSON = "application/json, application/*+json;q=0.9, text/json;q=0.8";

    private final RegistryClientSettings settings;
    private final ObservationRegistry observations;
    private final CloseableHttpClient http;
    private final ScheduledThreadPoolExecutor deadlines;

    RegistryTransport(RegistryClientSettings settings, ObservationRegistry observations) {
        this.settings = settings;
        this.observations = observations;
        this.http = buildHttpClient(settings);
        this.deadlines = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, "registry-client-deadlines");
            t.setDaemon(true);
            return t;
        });
        // Nearly every deadline is cancelled long before it fires; do not let them pile up.
        this.deadlines.setRemoveOnCancelPolicy(true);
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

    /** One attempt under the total deadline, measured in {@code meters} and observed as a span. */
    <T> Answer<T> attempt(FetchRequest<T> request, RequestMeters meters) {
        long started = System.nanoTime();
        Deadline deadline = new Deadline(started + settings.totalRequestDeadline().toNanos());
        ScheduledFuture<?> timer = deadlines.schedule(deadline::fire,
                settings.totalRequestDeadline().toNanos(), TimeUnit.NANOSECONDS);
        Observation observation = observe(request);
        String outcome = "io_error";
        try {
            Answer<T> answer = followRedirects(request, deadline);
            outcome = switch (answer.status()) {
                case 200 -> "ok";
                case 304 -> "not_modified";
                default -> "client_error";
            };
            return answer;
        } catch (RegistryFetchException e) {
            outcome = FetchFailures.outcomeOf(e);
            observation.error(e);
            throw e;
        } finally {
            timer.cancel(false);
            meters.record(request.target(), outcome, System.nanoTime() - started);
            observation.lowCardinalityKeyValue("outcome", outcome).stop();
        }
    }

    /** The started observation of one attempt; a no-op one, built for nothing, without tracing. */
    private Observation observe(FetchRequest<?> request) {
        Observation observation = Observation.createNotStarted(RegistryClient.FETCH_OBSERVATION, observations);
        if (observation.isNoop()) {
            return observation;
        }
        // The URL as errors show it (no credentials, bounded); the token never leaves its header.
        return observation.contextualName(request.target().spanName)
                .lowCardinalityKeyValue("target", request.target().tag)
                .highCardinalityKeyValue("registry.id", request.registry().registryId())
                .highCardinalityKeyValue("url.full", shortUrl(request.start()))
                .start();
    }

    private <T> Answer<T> followRedirects(FetchRequest<T> request, Deadline deadline) {
        RegistryEndpoint registry = request.registry();
        // Once a hop leaves the registry's origin the token stays home, even if a later hop returns.
        // A card URL is the publisher's choice, not the registry's: no token unless the operator said so.
        boolean mayAuthorize = registry.bearerToken() != null
                && (request.target() != FetchTarget.CARD || registry.sendTokenToCards());
        // Parsed only when there is a token to guard: it is a URI parse per request otherwise.
        Origin registryOrigin = mayAuthorize ? Origin.of(URI.create(registry.baseUrl())) : null;
        URI current = request.start();
        for (int hop = 0; ; hop++) {
            mayAuthorize = mayAuthorize && registryOrigin.equals(Origin.of(current));
            HttpGet get = newGet(request, current, mayAuthorize);
            deadline.begin(get);
            ClassicHttpResponse response = open(get, deadline, current);
            boolean consumed = false;
            try {
                int code = response.getCode();
                if (REDIRECTS.contains(code)) {
                    Header location = response.getFirstHeader(HttpHeaders.LOCATION);
                    consumed = ResponseBodies.drain(response, deadline);
                    current = nextHop(current, code, location, hop);
                    continue;
                }
                if (code == 200) {
                    Answer<T> answer = ResponseBodies.okAnswer(response, request.maxBytes(), deadline, current,
                            request.parser());
                    consumed = true;
                    return answer;
                }
                consumed = ResponseBodies.drain(response, deadline);
                return ResponseBodies.statusAnswer(response, code, request.conditional(), request.ifNoneMatch(),
                        current, settings.maxRetryAfter());
            } finally {
                ResponseBodies.release(get, response, consumed);
            }
        }
    }

    private static HttpGet newGet(FetchRequest<?> request, URI uri, boolean authorize) {
        HttpGet get = new HttpGet(uri);
        get.setHeader(HttpHeaders.ACCEPT, ACCEPT_JSON);
        if (authorize) {
            get.setHeader(HttpHeaders.AUTHORIZATION, "Bearer " + request.registry().bearerToken());
        }
        boolean conditional = request.conditional();
        if (conditional && request.ifNoneMatch() != null && !request.ifNoneMatch().isBlank()) {
            get.setHeader(HttpHeaders.IF_NONE_MATCH, request.ifNoneMatch());
        }
        if (conditional && request.ifModifiedSince() != null && !request.ifModifiedSince().isBlank()) {
            get.setHeader(HttpHeaders.IF_MODIFIED_SINCE, request.ifModifiedSince());
        }
        return get;
    }

    private ClassicHttpResponse open(HttpGet get, Deadline deadline, URI uri) {
        try {
            return http.executeOpen(null, get, HttpClientContext.create());
        } catch (RegistryFetchException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // The library can fail with an unchecked exception too (a connect that completes after the
            // deadline cancelled the exchange: "Endpoint not acquired"): one host's failure, never the sync's.
            throw FetchFailures.translate(e, deadline, uri);
        }
    }

    private URI nextHop(URI current, int code, Header location, int hop) {
        if (location == null || location.getValue().isBlank()) {
            throw new RegistryFetchException(Kind.REDIRECT, "HTTP " + code
                    + " without a Location header from " + shortUrl(current), current.toString(), null, null);
        }
        if (hop >= settings.maxRedirects()) {
            throw new RegistryFetchException(Kind.REDIRECT, "more than " + settings.maxRedirects()
                    + " redirects, last from " + shortUrl(current), current.toString(), null, null);
        }
        return RequestUrls.redirectTarget(current, location.getValue());
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
        http.close(CloseMode.GRACEFUL);
    }
}
