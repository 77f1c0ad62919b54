package io.marketplaceindex.api.cache;

import io.marketplaceindex.api.ApiTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

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
class ResponseCacheTest extends ApiTestSupport {

    @Autowired
    ResponseCache cache;

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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
