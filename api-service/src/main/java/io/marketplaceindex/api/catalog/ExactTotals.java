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
    /** Kept in place of a total whose count took longer than its budget. */
    static final String OVER_BUDGET = "over-budget";

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

    /**
     * What Redis holds of a filter's exact total in this generation: the count, or that counting it took
     * longer than the budget. A count over budget is not started again while that is known (at least
     * {@link #MIN_KEPT}): retried on every miss, a filter too costly to count would keep one core counting
     * for as long as a client asks, each count ending at the budget with nothing.
     */
    record Known(Long total, boolean overBudget) {
        static final Known NOTHING = new Known(null, false);
    }

    Known known(long generation, CatalogQuery query) {
        // Redis down: the estimate stands, and the response says the cache was bypassed
        String value = redis.call(() -> redis.strings().opsForValue().get(key(generation, query)), () -> null);
        if (value == null) {
            return Known.NOTHING;
        }
        if (value.equals(OVER_BUDGET)) {
            return new Known(null, true);
        }
        try {
            return new Known(Long.parseLong(value), false);
        } catch (NumberFormatException e) {
            log.debug("exact total in Redis is not a number: {}", value);
            return Known.NOTHING;
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
                    Optional<Long> total = rows.backgroundTotal(query, registryIds, properties.backgroundCountTimeout());
                    if (total.isEmpty()) {
                        log.info("exact total of {} took longer than {}; estimates stay, not counted again for {}",
                                query.filterKey(), properties.backgroundCountTimeout(), kept());
                    }
                    String value = total.map(String::valueOf).orElse(OVER_BUDGET);
                    redis.run(() -> redis.strings().opsForValue().set(key, value, kept()));
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
     * How long a counted total (or that its count was over budget) stays in Redis: the cache's TTL, but
     * never under {@link #MIN_KEPT}. The key names the generation, so a total can never be stale; only a
     * short answer TTL made every later miss of the filter count again, a count of millions of rows each
     * time (a replica with a TTL of a few milliseconds kept one core counting).
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
