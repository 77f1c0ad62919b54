package io.marketplaceindex.api.rebuild;

import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.events.RegistryCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The cron producer: when {@code marketplace.rebuild.cron} is set, every replica requests a
 * rebuild of all enabled registries on that schedule. Several replicas firing at once is harmless:
 * the worker coalesces a request that a sync started after it already answers.
 */
@Component
@ConditionalOnProperty(name = "marketplace.rebuild.cron")
class ScheduledRebuild {

    private static final Logger log = LoggerFactory.getLogger(ScheduledRebuild.class);

    private final RebuildService rebuilds;

    ScheduledRebuild(RebuildService rebuilds) {
        this.rebuilds = rebuilds;
    }

    @Scheduled(cron = "${marketplace.rebuild.cron}", zone = "UTC")
    void rebuild() {
        RebuildService.Started started = rebuilds.request(rebuilds.enabledRegistries(), RebuildReason.CRON, false,
                RegistryCommand.CRON);
        log.info("scheduled rebuild {} requested for {} registries", started.rebuildId(), started.registryIds().size());
    }
}
