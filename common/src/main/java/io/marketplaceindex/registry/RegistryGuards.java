package io.marketplaceindex.registry;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.marketplaceindex.registry.RegistryFetchException.Kind;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The per-registry resilience layers around each logical call, outermost first: circuit breaker
 * (one outcome per logical call, so a registry is judged by calls that failed even after retries),
 * retry, rate limiter (every HTTP attempt takes a permit). Card fetches have their own circuit per
 * registry, because cards live on arbitrary hosts and a few dead card hosts must not stop the
 * registry's records from being read.
 */
final class RegistryGuards {

    private static final Logger log = LoggerFactory.getLogger(RegistryGuards.class);

    private record Guards(Retry retry, CircuitBreaker registryCircuit, CircuitBreaker cardCircuit, RateLimiter limiter,
                          RequestMeters meters) {
    }

    private final RegistryClientSettings settings;
    private final MeterRegistry meters;
    private final RetryConfig retryConfig;
    private final CircuitBreakerConfig circuitConfig;
    private final RateLimiterConfig rateLimiterConfig;
    private final ConcurrentMap<String, Guards> guards = new ConcurrentHashMap<>();

    RegistryGuards(RegistryClientSettings settings, MeterRegistry meters) {
        this.settings = settings;
        this.meters = meters;
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
                .recordException(RegistryGuards::isServerFault)
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

    /**
     * Runs {@code attempt} (one HTTP attempt, given the registry's meters) inside the registry's
     * circuit, retry and rate limit; failures come back with the token cut out of their messages.
     */
    <T> Answer<T> call(RegistryEndpoint registry, FetchTarget target, URI uri,
                       Function<RequestMeters, Answer<T>> attempt) {
        Guards g = guards.computeIfAbsent(registry.registryId(), this::newGuards);
        CircuitBreaker circuit = target == FetchTarget.CARD ? g.cardCircuit() : g.registryCircuit();
        Supplier<Answer<T>> limited = () -> {
            if (g.limiter() != null && !g.limiter().acquirePermission()) {
                g.meters().record(target, "rate_limited", 0);
                throw new RegistryFetchException(Kind.RATE_LIMITED, "local rate limit of "
                        + settings.rateLimitPerSecond() + " requests/s for registry " + registry.registryId()
                        + " left no permit within " + settings.totalRequestDeadline().toMillis() + " ms",
                        uri.toString(), null, null);
            }
            return attempt.apply(g.meters());
        };
        try {
            return circuit.executeSupplier(Retry.decorateSupplier(g.retry(), limited));
        } catch (CallNotPermittedException open) {
            g.meters().record(target, "circuit_open", 0);
            throw new RegistryFetchException(Kind.CIRCUIT_OPEN, "circuit open for registry "
                    + registry.registryId() + (target == FetchTarget.CARD ? " (cards)" : "")
                    + " after repeated failures; no request sent, next probe within "
                    + settings.circuitOpenDuration().toSeconds() + " s", uri.toString(), null, open);
        } catch (RegistryFetchException e) {
            throw FetchFailures.redacted(e, registry);
        }
    }

    /** Drops the retry, circuit and rate-limit state of a registry that was removed. */
    void forget(String registryId) {
        guards.remove(registryId);
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
                new RequestMeters(registryId, meters));
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
}
