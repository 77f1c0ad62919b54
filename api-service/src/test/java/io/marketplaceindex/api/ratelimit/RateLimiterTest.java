package io.marketplaceindex.api.ratelimit;

import io.marketplaceindex.api.cache.CacheProperties;
import io.marketplaceindex.api.cache.SharedRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.unit.DataSize;

import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** Without Redis the limit still holds, counted by this replica alone. */
class RateLimiterTest {

    @Test
    void countsInMemoryWhenRedisIsDown() throws Exception {
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort(); // closed again below: nothing listens there
        }
        LettuceConnectionFactory down = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", deadPort),
                LettuceClientConfiguration.builder().commandTimeout(Duration.ofMillis(200)).build());
        down.afterPropertiesSet();
        down.start();
        try {
            MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
            CacheProperties cache = new CacheProperties("t:", Duration.ofMinutes(1),
                    Duration.ofSeconds(5), Duration.ofSeconds(5), DataSize.ofBytes(0), Duration.ofSeconds(5));
            RateLimiter limiter = new RateLimiter("test", 3, cache, clock,
                    new SharedRedis(down, cache, new SimpleMeterRegistry()));
            for (int i = 0; i < 3; i++) {
                RateLimiter.Decision decision = limiter.hit("198.51.100.7");
                assertThat(decision.allowed()).isTrue();
                assertThat(decision.remaining()).isEqualTo(2 - i);
            }
            RateLimiter.Decision refused = limiter.hit("198.51.100.7");
            assertThat(refused.allowed()).isFalse();
            assertThat(refused.resetIn()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
            assertThat(limiter.hit("198.51.100.8").allowed()).isTrue();

            clock.now = clock.now.plus(Duration.ofSeconds(61)); // a new window
            assertThat(limiter.hit("198.51.100.7").allowed()).isTrue();
        } finally {
            down.destroy();
        }
    }

    private static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
