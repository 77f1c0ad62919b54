package io.marketplaceindex.api.cache;

import io.marketplaceindex.api.ApiTestSupport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The response cache against the real Redis. */
class ResponseCacheIT extends ApiTestSupport {

    @Autowired
    ResponseCache cache;

    @Autowired
    CacheProperties properties;

    @Autowired
    RedisConnectionFactory connections;

    @Autowired
    StringRedisTemplate redis;

    @Test
    void aBurstOfIdenticalMissesRunsTheQueryOnce() throws Exception {
        String key = "single-flight:" + UUID.randomUUID();
        AtomicInteger queries = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<ResponseCache.Answer>> answers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return cache.get(key, status -> {
                        queries.incrementAndGet();
                        sleep(300); // a slow query: every other request arrives while it runs
                        byte[] body = "{\"n\":1}".getBytes(StandardCharsets.UTF_8);
                        return new ResponseCache.Computed(body, body);
                    });
                }));
            }
            start.countDown();
            for (Future<ResponseCache.Answer> answer : answers) {
                assertThat(new String(answer.get().body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(queries.get()).isEqualTo(1);
        // and the next request is served from Redis
        assertThat(cache.get(key, status -> {
            throw new AssertionError("should have been a hit");
        }).status()).isEqualTo(ResponseCache.Status.HIT);
    }

    @Test
    void eachReplicaKeepsHotAnswersInItsOwnMemory() {
        String key = "local:" + UUID.randomUUID();
        AtomicInteger queries = new AtomicInteger();
        ResponseCache.Builder query = status -> {
            queries.incrementAndGet();
            byte[] body = "{\"n\":2}".getBytes(StandardCharsets.UTF_8);
            return new ResponseCache.Computed(body, body);
        };
        assertThat(cache.get(key, query).status()).isEqualTo(ResponseCache.Status.MISS);
        // gone from Redis, still answered as a hit without running the query: the local copy
        assertThat(redis.delete(properties.keyPrefix() + key)).isTrue();
        ResponseCache.Answer again = cache.get(key, query);
        assertThat(again.status()).isEqualTo(ResponseCache.Status.HIT);
        assertThat(new String(again.body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":2}");
        assertThat(queries.get()).isEqualTo(1);

        // without the local tier the same sequence runs the query again
        ResponseCache redisOnly = replica(withLocal(DataSize.ofBytes(0), Duration.ofSeconds(5)), new SimpleMeterRegistry());
        String other = "local-off:" + UUID.randomUUID();
        redisOnly.get(other, query);
        redis.delete(properties.keyPrefix() + other);
        assertThat(redisOnly.get(other, query).status()).isEqualTo(ResponseCache.Status.MISS);
        assertThat(queries.get()).isEqualTo(3);
    }

    @Test
    void lookupsAreCountedByTierAndResult() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ResponseCache counted = replica(withLocal(DataSize.ofMegabytes(1), Duration.ofSeconds(5)), meters);
        String key = "counted:" + UUID.randomUUID();
        ResponseCache.Builder query = status -> {
            byte[] body = "{\"n\":3}".getBytes(StandardCharsets.UTF_8);
            return new ResponseCache.Computed(body, body);
        };
        counted.get(key, query); // a miss in both tiers
        counted.get(key, query); // from this replica's memory
        // another replica: not in its memory, in Redis
        SimpleMeterRegistry otherMeters = new SimpleMeterRegistry();
        replica(withLocal(DataSize.ofMegabytes(1), Duration.ofSeconds(5)), otherMeters).get(key, query);

        assertThat(count(meters, "local", "miss")).isEqualTo(1);
        assertThat(count(meters, "local", "hit")).isEqualTo(1);
        assertThat(count(meters, "redis", "miss")).isEqualTo(1);
        assertThat(count(meters, "redis", "hit")).isZero();
        assertThat(count(meters, "redis", "unavailable")).isZero();
        assertThat(count(otherMeters, "local", "miss")).isEqualTo(1);
        assertThat(count(otherMeters, "redis", "hit")).isEqualTo(1);
    }

    private static double count(SimpleMeterRegistry meters, String tier, String result) {
        return meters.get("marketplace.cache.requests").tag("tier", tier).tag("result", result).counter().count();
    }

    @Test
    void aProvisionalAnswerIsKeptOnlyBriefly() {
        ResponseCache shortLived = replica(withLocal(DataSize.ofMegabytes(1), Duration.ofMillis(300)), new SimpleMeterRegistry());
        String key = "provisional:" + UUID.randomUUID();
        AtomicInteger queries = new AtomicInteger();
        ResponseCache.Builder estimate = status -> {
            queries.incrementAndGet();
            byte[] body = "{\"total\":100,\"exact\":false}".getBytes(StandardCharsets.UTF_8);
            return new ResponseCache.Computed(body, body, true);
        };
        assertThat(shortLived.get(key, estimate).provisional()).isTrue();
        ResponseCache.Answer again = shortLived.get(key, estimate);
        assertThat(again.status()).isEqualTo(ResponseCache.Status.HIT);
        assertThat(again.provisional()).as("a hit knows it is provisional").isTrue();
        // beside the key, so that a replica reading it from Redis knows as well
        assertThat(redis.hasKey(properties.keyPrefix() + key)).isFalse();
        Long ttlMillis = redis.getExpire(properties.keyPrefix() + key + "~provisional",
                java.util.concurrent.TimeUnit.MILLISECONDS);
        assertThat(ttlMillis).isBetween(1L, 300L);
        ResponseCache otherReplica = replica(withLocal(DataSize.ofMegabytes(1),
                Duration.ofMillis(300)), new SimpleMeterRegistry());
        ResponseCache.Answer fromRedis = otherReplica.get(key, estimate);
        assertThat(fromRedis.status()).isEqualTo(ResponseCache.Status.HIT);
        assertThat(fromRedis.provisional()).isTrue();
        sleep(600);
        // expired locally and in Redis: the next request builds the answer again (now with the exact total)
        assertThat(shortLived.get(key, estimate).status()).isEqualTo(ResponseCache.Status.MISS);
        assertThat(queries.get()).isEqualTo(2);
    }

    /** A cache as another replica has it: its own circuit in front of the same Redis. */
    private ResponseCache replica(CacheProperties cache, MeterRegistry meters) {
        return new ResponseCache(new SharedRedis(connections, cache, meters), cache, meters);
    }

    private CacheProperties withLocal(DataSize localMaxSize, Duration provisionalTtl) {
        return new CacheProperties(properties.keyPrefix(), properties.ttl(), properties.generationPollInterval(),
                properties.redisRetryAfter(), localMaxSize, provisionalTtl);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
