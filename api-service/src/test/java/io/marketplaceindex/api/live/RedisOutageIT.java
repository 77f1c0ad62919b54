package io.marketplaceindex.api.live;

import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.cache.CacheProperties;
import io.marketplaceindex.api.cache.RedisHealthIndicator;
import io.marketplaceindex.api.cache.ResponseCache;
import io.marketplaceindex.api.ratelimit.RateLimiter;
import io.marketplaceindex.testsupport.CatalogSeeder;
import io.marketplaceindex.testsupport.StoppableServers;
import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Status;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis stopped and started again under the response cache, the rate limit and the live catalog:
 * the first failure, whichever of them meets it, sends all three to their fallback at once (none of
 * the others waits on Redis to find out), and all three resume together once Redis answers. The
 * Redis server is this test's own; the shared one is never stopped.
 */
@TestPropertySource(properties = {"marketplace.cache.redis-retry-after=3s", "marketplace.catalog.live.ttl=1s",
        "marketplace.rate-limit.anonymous-per-minute=100"})
class RedisOutageIT extends ApiTestSupport {

    private static final StoppableServers.Stoppable REDIS = StoppableServers.redis();
    private static final Duration BACK = Duration.ofSeconds(30);

    static {
        REDIS.start();
    }

    @DynamicPropertySource
    static void ownRedis(DynamicPropertyRegistry registry) {
        registry.add("marketplace.test.redis-url", () -> "redis://127.0.0.1:" + REDIS.port());
    }

    @AfterAll
    static void stopRedis() {
        REDIS.stop();
    }

    @Autowired
    ResponseCache cache;
    @Autowired
    RateLimiter limiter;
    @Autowired
    LiveCatalogStore live;
    @Autowired
    RedisHealthIndicator health;
    @Autowired
    MeterRegistry meters;
    @Autowired
    CacheProperties cacheProperties;

    @BeforeAll
    static void noRegistries() {
        // the live catalog of no registries builds at once: what is measured here is Redis, not registries
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
        }
    }

    @Test
    void theCacheTheRateLimitAndTheLiveCatalogFallBackTogetherAndResumeTogether() throws Exception {
        String client = "outage-" + UUID.randomUUID();
        int limit = limiter.hit(client).limit();
        assertThat(limiter.hit(client).remaining()).as("counted in Redis").isEqualTo(limit - 2);
        assertThat(cache.get(newKey(), status -> answer()).status()).isEqualTo(ResponseCache.Status.MISS);
        assertThat(live.current(1).status()).isEqualTo(LiveCatalogStore.Status.MISS);
        assertThat(redisKeys("*ratelimit:anonymous:" + client)).isEqualTo(1);
        assertThat(circuit("closed")).isEqualTo(1);
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);

        REDIS.stop();
        // the cache meets the failure (after the client's command timeout)...
        assertThat(cache.get(newKey(), status -> answer()).status()).isEqualTo(ResponseCache.Status.BYPASS);
        assertThat(circuit("open")).isEqualTo(1);
        // ...and the others answer without Redis at once, without waiting on it themselves
        long started = System.nanoTime();
        assertThat(limiter.hit(client).remaining()).as("counted afresh in this replica's memory")
                .isEqualTo(limit - 1);
        assertThat(live.current(2).status()).isEqualTo(LiveCatalogStore.Status.BYPASS);
        assertThat(health.health().getStatus()).isEqualTo(RedisHealthIndicator.DEGRADED);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));

        REDIS.start();
        // the health probe's ping is let through once the circuit's pause is over, and closes it
        Awaitility.await("Redis' health UP again").atMost(BACK).pollInterval(Duration.ofMillis(200))
                .until(() -> Status.UP.equals(health.health().getStatus()));
        assertThat(circuit("closed")).isEqualTo(1);
        assertThat(cache.get(newKey(), status -> answer()).status()).isEqualTo(ResponseCache.Status.MISS);
        // the restarted Redis kept nothing: counted there, the window starts again at one
        assertThat(limiter.hit(client).remaining()).as("counted in Redis again").isEqualTo(limit - 1);
        assertThat(redisKeys("*ratelimit:anonymous:" + client)).isEqualTo(1);
        Thread.sleep(1_100); // the catalog built without Redis is this replica's own until its ttl ends
        assertThat(live.current(3).status()).isEqualTo(LiveCatalogStore.Status.MISS);
        assertThat(redisKeys(cacheProperties.keyPrefix() + "live:catalog:*")).isPositive();
    }

    private String newKey() {
        return "outage:" + UUID.randomUUID();
    }

    private static ResponseCache.Computed answer() {
        byte[] body = "{\"n\":1}".getBytes(StandardCharsets.UTF_8);
        return new ResponseCache.Computed(body, body);
    }

    private double circuit(String state) {
        return meters.get("marketplace.redis.circuit.state").tag("state", state).gauge().value();
    }

    /** Keys in the test's Redis, read over a connection of the test's own. */
    private static int redisKeys(String pattern) {
        LettuceConnectionFactory connections = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration("127.0.0.1", REDIS.port()));
        connections.afterPropertiesSet();
        connections.start();
        try {
            return new StringRedisTemplate(connections).keys(pattern).size();
        } finally {
            connections.destroy();
        }
    }
}
