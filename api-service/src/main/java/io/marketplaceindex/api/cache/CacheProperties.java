package io.marketplaceindex.api.cache;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import org.springframework.util.unit.DataSize;

import java.time.Duration;

/**
 * @param keyPrefix              prefix of every Redis key (several environments on one Redis)
 * @param ttl                    lifetime of a cached answer; entries of old generations simply expire
 * @param generationPollInterval how often the generation is re-read from PostgreSQL, a safety net
 *                               should a catalog-change event be lost
 * @param redisRetryAfter        after a Redis failure, the circuit in front of Redis ({@link SharedRedis})
 *                               stays open this long: cache, rate limits and live catalog do without it
 * @param localMaxSize           bytes of answers each replica also keeps in its own memory, in front of
 *                               Redis; keys carry the generation, so a local copy is never stale
 *                               (0: every hit goes to Redis)
 * @param provisionalTtl         lifetime of an answer that will soon be improved (an estimated total
 *                               whose exact count is being computed), never longer than {@code ttl}
 */
@ConfigurationProperties("marketplace.cache")
public record CacheProperties(@DefaultValue("mi:") String keyPrefix,
                              @DefaultValue("PT10M") Duration ttl,
                              @DefaultValue("PT5S") Duration generationPollInterval,
                              @DefaultValue("PT5S") Duration redisRetryAfter,
                              @DefaultValue("64MB") DataSize localMaxSize,
                              @DefaultValue("PT5S") Duration provisionalTtl) {

    /** How long a provisional answer is kept: the shorter of the two lifetimes. */
    public Duration provisionalLifetime() {
        return provisionalTtl.compareTo(ttl) < 0 ? provisionalTtl : ttl;
    }
}
