package io.marketplaceindex.api.cache;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * @param keyPrefix              prefix of every Redis key (several environments on one Redis)
 * @param ttl                    lifetime of a cached answer; entries of old generations simply expire
 * @param generationPollInterval how often the generation is re-read from PostgreSQL, a safety net
 *                               should a catalog-change event be lost
 * @param redisRetryAfter        after a Redis failure, answers bypass Redis for this long
 */
@ConfigurationProperties("marketplace.cache")
public record CacheProperties(@DefaultValue("mi:") String keyPrefix,
                              @DefaultValue("PT10M") Duration ttl,
                              @DefaultValue("PT5S") Duration generationPollInterval,
                              @DefaultValue("PT5S") Duration redisRetryAfter) {
}
