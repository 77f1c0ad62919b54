package io.marketplaceindex.worker.catalog;

import io.marketplaceindex.worker.sync.SyncProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.time.Clock;

/** Removals stay in the changes feed for the retention period, then go. Any replica may run it. */
@Component
class TombstonePurger {

    private static final Logger log = LoggerFactory.getLogger(TombstonePurger.class);

    private final CatalogStore catalog;
    private final SyncProperties properties;
    private final Clock clock;

    TombstonePurger(CatalogStore catalog, SyncProperties properties, Clock clock) {
        this.catalog = catalog;
        this.properties = properties;
        this.clock = clock;
    }

    @Scheduled(initialDelayString = "PT1M", fixedDelayString = "${marketplace.sync.tombstone-purge-interval:PT1H}")
    void purge() {
        int purged = catalog.purgeTombstones(clock.instant().minus(properties.tombstoneRetention()));
        if (purged > 0) {
            log.info("purged {} tombstones older than {}", purged, properties.tombstoneRetention());
        }
    }
}
