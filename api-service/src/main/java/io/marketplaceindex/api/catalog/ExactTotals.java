package io.marketplaceindex.api.catalog;

import io.marketplaceindex.api.cache.CacheProperties;
import io.marketplaceindex.api.cache.SharedRedis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Totals too costly to count within a request (a common substring at millions of rows) are
 * answered with an estimate first; the exact count is then computed once in the background and
 * kept in Redis for the catalog generation, so later pages of the same filters are exact.
 *
 * <p>The work is bounded whatever clients send: one count runs at a time (each within
 * {@code marketplace.catalog.background-count-timeout}), a filter already waiting or running is not
 * queued again, and at most {@link #MAX_WAITING} distinct filters wait; past that a new one is not
 * counted now (its answer keeps the estimate, and a later request of it queues it again). Without the
 * bound, a client sending distinct costly filters grew the queue, and the time it takes, without end.
 */
@Component
class ExactTotals implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ExactTotals.class);

    private final CatalogRepository rows;
    private final SharedRedis redis;
    private final CacheProperties cacheProperties;
    private final CatalogProperties properties;
    /**
     * Filters waiting for the counting thread. Each waits behind counts that may take up to the
     * background timeout: a longer queue would mostly deliver totals after their generation has passed.
     */
    static final int MAX_WAITING = 32;
    static final Duration MIN_KEPT = Duration.ofMinutes(10);

    /** Keys queued or running: the same filter of the same generation is counted once. */
    private final Set<String> counting = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor counters = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(MAX_WAITING), r -> {
                Thread t = new Thread(r, "exact-total");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.AbortPolicy());

    ExactTotals(CatalogRepository rows, SharedRedis redis, CacheProperties cacheProperties,
                CatalogProperties properties) {
        this.rows = rows;
        this.redis = redis;
        this.cacheProperties = cacheProperties;
        this.properties = properties;
    }

    Optional<Long> cached(long generation, CatalogQuery query) {
        // Redis down: the estimate stands, and the response says the cache was bypassed
        String value = redis.call(() -> redis.strings().opsForValue().get(key(generation, query)), () -> null);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(value));
        } catch (NumberFormatException e) {
            log.debug("exact total in Redis is not a number: {}", value);
            return Optional.empty();
        }
    }

    /** Starts the exact count unless it is already running for this generation and filter. */
    void computeLater(long generation, CatalogQuery query, List<UUID> registryIds) {
        String key = key(generation, query);
        if (!counting.add(key)) {
            return;
        }
        try {
            counters.execute(() -> {
                try {
                    rows.backgroundTotal(query, registryIds, properties.backgroundCountTimeout()).ifPresentOrElse(
                            total -> redis.run(() -> redis.strings().opsForValue().set(key, Long.toString(total),
                                    kept())),
                            () -> log.info("exact total of {} took longer than {}; estimates stay", query.filterKey(),
                                    properties.backgroundCountTimeout()));
                } catch (RuntimeException e) {
                    log.warn("exact total of {} failed: {}", query.filterKey(), e.getMessage());
                } finally {
                    counting.remove(key);
                }
            });
        } catch (RejectedExecutionException e) {
            counting.remove(key);
            log.debug("exact total of {} not queued: {} counts already wait", query.filterKey(), MAX_WAITING);
        }
    }

    /**
     * How long a counted total stays in Redis: the cache's TTL, but never under {@link #MIN_KEPT}. The
     * key names the generation, so a total can never be stale; only a short answer TTL made every later
     * miss of the filter count again, a count of millions of rows each time (a replica with a TTL of a
     * few milliseconds kept one core counting).
     */
    Duration kept() {
        return cacheProperties.ttl().compareTo(MIN_KEPT) > 0 ? cacheProperties.ttl() : MIN_KEPT;
    }

    /** Counts queued or running (deduplicated): never more than {@link #MAX_WAITING} + 1. */
    int pending() {
        return counting.size();
    }

    private String key(long generation, CatalogQuery query) {
        return cacheProperties.keyPrefix() + "total:g" + generation + ":" + query.filterKey();
    }

    @Override
    public void close() {
        counters.shutdownNow();
    }
}
