package io.marketplaceindex.api.cache;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.util.concurrent.atomic.AtomicLong;

/**
 * This replica's view of the catalog generation. Cache keys include it, so advancing it is the
 * whole invalidation: no SCAN, no DEL. Catalog-change events advance it at once; a periodic read
 * of PostgreSQL catches up should an event be lost.
 */
@Component
public class CatalogGeneration {

    private static final Logger log = LoggerFactory.getLogger(CatalogGeneration.class);

    private final AtomicLong current = new AtomicLong(-1);
    private final JdbcClient jdbc;

    public CatalogGeneration(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public long current() {
        long value = current.get();
        return value >= 0 ? value : refresh();
    }

    public void advanceTo(long generation) {
        current.accumulateAndGet(generation, Math::max);
    }

    @Scheduled(fixedDelayString = "${marketplace.cache.generation-poll-interval:PT5S}")
    public void poll() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("could not read the catalog generation: {}", e.getMessage());
        }
    }

    private long refresh() {
        long fromDb = jdbc.sql("SELECT generation FROM marketplace_catalog_state WHERE id = 1")
                .query(Long.class).single();
        return current.accumulateAndGet(fromDb, Math::max);
    }
}
