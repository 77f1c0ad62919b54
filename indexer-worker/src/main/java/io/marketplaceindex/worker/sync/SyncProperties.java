package io.marketplaceindex.worker.sync;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * @param concurrencyPerRegistry record/card requests in flight for one registry, per worker process
 * @param fetchThreads           request threads of this worker process, shared by all registries; a sync uses up to
 *                               {@code concurrencyPerRegistry} of them, so fewer than that times the command
 *                               concurrency leaves syncs waiting for threads
 * @param maxShrinkRatio         a listing that would remove more than this share of a registry's rows is refused
 *                               (and recorded) unless the rebuild is forced; an empty listing always is
 * @param writeBatchSize         rows per JDBC batch in the commit
 * @param tombstoneRetention     how long removals stay visible in the changes feed
 * @param chunkThreshold         a listing with more handles than this is synced as a chunked run: its
 *                               fetches spread over every worker replica instead of one consumer thread
 * @param chunkSize              handles per chunk of a chunked run
 * @param runTimeout             a chunked run not applied this long after it started is failed and its
 *                               staging dropped (its registry keeps its rows, marked stale)
 * @param runRetention           how long finished runs are kept for inspection
 * @param cardMaxFreshness       the longest an Agent Card's HTTP freshness (Cache-Control max-age, Expires) is
 *                               trusted: while a card is fresh and its record answers 304, the card is not
 *                               requested again. The cap keeps a registry from pinning a card for ever; 0 turns
 *                               freshness off (every sync revalidates every card)
 * @param minRecommendedTtl      the shortest re-sync interval a registry's records may recommend
 *                               ({@code ttlSecondsRecommended}): the smallest recommendation of its records is
 *                               kept for the scheduled producer, raised to this, so that a registry cannot ask
 *                               for constant syncs
 */
@ConfigurationProperties("marketplace.sync")
public record SyncProperties(@DefaultValue("8") int concurrencyPerRegistry,
                             @DefaultValue("32") int fetchThreads,
                             @DefaultValue("0.5") double maxShrinkRatio,
                             @DefaultValue("500") int writeBatchSize,
                             @DefaultValue("P7D") Duration tombstoneRetention,
                             @DefaultValue("5000") int chunkThreshold,
                             @DefaultValue("1000") int chunkSize,
                             @DefaultValue("PT30M") Duration runTimeout,
                             @DefaultValue("P1D") Duration runRetention,
                             @DefaultValue("PT1H") Duration cardMaxFreshness,
                             @DefaultValue("PT5M") Duration minRecommendedTtl) {

    public SyncProperties {
        if (chunkThreshold < 0) {
            throw new IllegalArgumentException("marketplace.sync.chunk-threshold must not be negative");
        }
        if (chunkSize < 1) {
            throw new IllegalArgumentException("marketplace.sync.chunk-size must be at least 1");
        }
        if (runTimeout.isNegative() || runTimeout.isZero()) {
            throw new IllegalArgumentException("marketplace.sync.run-timeout must be positive");
        }
        if (minRecommendedTtl.toSeconds() < 1) {
            throw new IllegalArgumentException("marketplace.sync.min-recommended-ttl must be at least one second");
        }
        if (cardMaxFreshness.isNegative()) {
            throw new IllegalArgumentException("marketplace.sync.card-max-freshness must not be negative");
        }
    }
}
