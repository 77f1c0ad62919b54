package io.marketplaceindex.api.cache;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The api-service's one way to Redis, and one circuit breaker in front of it, shared by the response
 * cache (with its exact totals), the rate limits and the live catalog. Redis only speeds things up
 * here, and each of them has
 * an answer without it (PostgreSQL, counting in this replica's memory, a catalog of this replica's
 * own); what they must not do is wait on a Redis that does not answer, each finding that out by
 * itself. One failed call opens the circuit: all three fall back at once, for
 * {@code marketplace.cache.redis-retry-after}; then one call tries Redis again, and its success
 * closes the circuit for all three.
 *
 * <p>The state is the gauge {@code marketplace.redis.circuit.state{state}} (1 for the current state)
 * and a detail of the Redis health indicator, which reports DEGRADED while the circuit is open.
 */
@Component
public class SharedRedis {

    private static final Logger log = LoggerFactory.getLogger(SharedRedis.class);

    private final RedisTemplate<String, byte[]> bytes;
    private final StringRedisTemplate strings;
    private final CircuitBreaker circuit;
    private final Duration retryAfter;

    public SharedRedis(RedisConnectionFactory connections, CacheProperties properties, MeterRegistry meters) {
        this.bytes = new RedisTemplate<>();
        this.bytes.setConnectionFactory(connections);
        this.bytes.setKeySerializer(RedisSerializer.string());
        this.bytes.setValueSerializer(RedisSerializer.byteArray());
        this.bytes.afterPropertiesSet();
        this.strings = new StringRedisTemplate(connections);
        this.retryAfter = properties.redisRetryAfter();
        this.circuit = CircuitBreaker.of("redis", CircuitBreakerConfig.custom()
                // one failure opens it, as one timeout is already a request answered late
                .slidingWindow(1, 1, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .failureRateThreshold(100)
                .waitDurationInOpenState(retryAfter)
                .permittedNumberOfCallsInHalfOpenState(1)
                .build());
        this.circuit.getEventPublisher().onStateTransition(event -> {
            if (event.getStateTransition().getToState() == CircuitBreaker.State.CLOSED) {
                log.info("Redis answers again: shared cache, rate limits and live catalog resume");
            }
        });
        for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
            Gauge.builder("marketplace.redis.circuit.state", circuit, c -> c.getState() == state ? 1 : 0)
                    .description("State of the circuit in front of Redis: 1 for the current state")
                    .tag("state", state.name().toLowerCase(Locale.ROOT))
                    .register(meters);
        }
    }

    /** Keys as strings, values as the bytes given. */
    public RedisTemplate<String, byte[]> bytes() {
        return bytes;
    }

    /** Keys, values and script arguments as strings. */
    public StringRedisTemplate strings() {
        return strings;
    }

    public CircuitBreaker.State state() {
        return circuit.getState();
    }

    /**
     * Calls Redis if the circuit lets the call through, else answers with the fallback; a Redis failure
     * ({@link DataAccessException}) opens the circuit and is answered with the fallback too. Any other
     * exception is the caller's own and is thrown.
     */
    public <T> T call(Supplier<T> redisCall, Supplier<T> fallback) {
        if (!circuit.tryAcquirePermission()) {
            return fallback.get();
        }
        T result;
        try {
            result = redisCall.get();
        } catch (DataAccessException e) {
            failed(e);
            return fallback.get();
        } catch (RuntimeException e) {
            circuit.releasePermission();
            throw e;
        }
        // failures alone open the circuit: a slow answer (a large catalog) is not a Redis that is down
        circuit.onSuccess(0, TimeUnit.NANOSECONDS);
        return result;
    }

    /** Like {@link #call}, for a call without a result. @return whether Redis took it */
    public boolean run(Runnable redisCall) {
        return call(() -> {
            redisCall.run();
            return true;
        }, () -> false);
    }

    /**
     * A Redis call made inside a {@link #call} failed and the caller handled it: the circuit opens all
     * the same, so that the others stop trying too.
     */
    public void failed(DataAccessException e) {
        CircuitBreaker.State before = circuit.getState();
        circuit.onError(0, TimeUnit.NANOSECONDS, e);
        if (before != CircuitBreaker.State.OPEN && circuit.getState() == CircuitBreaker.State.OPEN) {
            log.warn("Redis unavailable: answers come from PostgreSQL, rate limits are counted per replica and "
                    + "the live catalog is built per replica; Redis is tried again in {}: {}",
                    retryAfter, e.getMessage());
        }
    }
}
