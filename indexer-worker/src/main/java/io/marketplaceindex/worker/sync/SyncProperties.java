package io.marketplaceindex.worker.sync;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * @param concurrencyPerRegistry record/card requests in flight for one registry
 * @param fetchThreads           request threads of this worker process, shared by all registries
 * @param maxShrinkRatio         a listing that would remove more than this share of a registry's rows is refused
 *                               (and recorded) unless the rebuild is forced; an empty listing always is
 * @param writeBatchSize         rows per JDBC batch in the commit
 * @param tombstoneRetention     how long removals stay visible in the changes feed
 */
@ConfigurationProperties("marketplace.sync")
public record SyncProperties(@DefaultValue("8") int concurrencyPerRegistry,
                             @DefaultValue("32") int fetchThreads,
                             @DefaultValue("0.5") double maxShrinkRatio,
                             @DefaultValue("500") int writeBatchSize,
                             @DefaultValue("P7D") Duration tombstoneRetention) {
}
