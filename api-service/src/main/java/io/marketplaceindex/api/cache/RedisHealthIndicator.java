package io.marketplaceindex.api.cache;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.stereotype.Component;

import java.util.Locale;

/**
 * Redis as the api-service's health sees it. Redis only caches here: without it every read is
 * answered from PostgreSQL, slower but correct, so a Redis that does not answer makes the service
 * {@link #DEGRADED}, not down. Readiness stays 200 and keeps the replica in rotation, while the
 * component's status tells the operator what is missing.
 *
 * <p>The ping goes through the circuit of {@link SharedRedis}, as every other Redis call does: the
 * status is DEGRADED while the circuit is open (the service answers without Redis, whatever Redis
 * does meanwhile), and once the circuit lets a call through again, a probe's ping may be the one that
 * closes it.
 *
 * <p>Named so that it replaces Boot's own Redis indicator, which would report DOWN.
 */
@Component("redisHealthIndicator")
public class RedisHealthIndicator implements HealthIndicator {

    /** Ordered between DOWN and UP (management.endpoint.health.status.order) and answered with 200. */
    public static final Status DEGRADED = new Status("DEGRADED",
            "Redis does not answer; reads are served from PostgreSQL without the shared cache");

    private final SharedRedis redis;

    public RedisHealthIndicator(SharedRedis redis) {
        this.redis = redis;
    }

    @Override
    public Health health() {
        return redis.call(this::ping, () -> Health.status(DEGRADED)
                .withDetail("circuit", circuit())
                .build());
    }

    private Health ping() {
        String pong = redis.strings().execute(RedisConnection::ping);
        return Health.up().withDetail("ping", String.valueOf(pong)).withDetail("circuit", circuit()).build();
    }

    private String circuit() {
        return redis.state().name().toLowerCase(Locale.ROOT);
    }
}
