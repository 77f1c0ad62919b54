package io.marketplaceindex.api.cache;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Redis as the api-service's health sees it. Redis only caches here: without it every read is
 * answered from PostgreSQL, slower but correct, so a Redis that does not answer makes the service
 * {@link #DEGRADED}, not down. Readiness stays 200 and keeps the replica in rotation, while the
 * component's status tells the operator what is missing.
 *
 * <p>Named so that it replaces Boot's own Redis indicator, which would report DOWN.
 */
@Component("redisHealthIndicator")
public class RedisHealthIndicator implements HealthIndicator {

    /** Ordered between DOWN and UP (management.endpoint.health.status.order) and answered with 200. */
    public static final Status DEGRADED = new Status("DEGRADED",
            "Redis does not answer; reads are served from PostgreSQL without the shared cache");

    private final RedisConnectionFactory connections;

    public RedisHealthIndicator(RedisConnectionFactory connections) {
        this.connections = connections;
    }

    @Override
    public Health health() {
        try (RedisConnection connection = connections.getConnection()) {
            String pong = connection.ping();
            return Health.up().withDetail("ping", String.valueOf(pong)).build();
        } catch (RuntimeException e) {
            return Health.status(DEGRADED).withDetail("error", e.getClass().getSimpleName()).build();
        }
    }
}
