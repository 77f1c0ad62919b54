package io.marketplaceindex.api.cache;

import io.lettuce.core.resource.Delay;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The Redis client reconnects by itself after Redis went away, but by default it backs off to 30 s
 * between attempts: after a Redis restart the API would go on answering past the cache (from
 * PostgreSQL) for up to that long. Attempts at most a second apart cost nothing while Redis is down.
 */
@Configuration(proxyBeanMethods = false)
class RedisReconnectConfig {

    @Bean
    ClientResourcesBuilderCustomizer redisReconnectsWithinASecond() {
        return resources -> resources.reconnectDelay(
                Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS));
    }
}
