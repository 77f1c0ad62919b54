package io.marketplaceindex.api.cache;

import io.lettuce.core.resource.Delay;
import io.marketplaceindex.api.ApiTestSupport;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.test.context.TestPropertySource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Redis down (nothing listens where it should be): the catalog still answers, from PostgreSQL. */
@TestPropertySource(properties = "marketplace.test.redis-url=redis://127.0.0.1:1")
class CatalogWithoutRedisIT extends ApiTestSupport {

    @Autowired
    MeterRegistry meters;

    @Autowired
    private LettuceConnectionFactory redis;

    @Test
    void answersFromPostgresAndSaysSo() {
        double unavailableBefore = unavailable();
        for (int i = 0; i < 3; i++) {
            Answer answer = get("/api/marketplace?limit=5");
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body().get("meta").get("cache").asString()).startsWith("bypass");
            assertThat(answer.body().get("meta").get("catalog").asString()).isEqualTo("db");
        }
        // and the metrics say so too
        assertThat(unavailable() - unavailableBefore).isGreaterThanOrEqualTo(3);
    }

    private double unavailable() {
        return meters.get("marketplace.cache.requests").tag("tier", "redis").tag("result", "unavailable").counter().count();
    }

    /**
     * However long Redis was down, the client tries to reconnect at least once a second, so caching
     * resumes soon after Redis is back (the client's default backs off to 30 s between attempts).
     */
    @Test
    void theRedisClientTriesToReconnectAtLeastOnceASecond() {
        Delay delay = redis.getClientConfiguration().getClientResources().orElseThrow().reconnectDelay();
        for (long attempt = 1; attempt <= 40; attempt++) {
            assertThat(delay.createDelay(attempt)).as("delay before attempt %d", attempt)
                    .isLessThanOrEqualTo(Duration.ofSeconds(1));
        }
    }
}
