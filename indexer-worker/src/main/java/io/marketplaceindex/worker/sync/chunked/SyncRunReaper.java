package io.marketplaceindex.worker.sync.chunked;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Ends chunked runs that will never complete (a chunk dead-lettered, a finish lost) so their
 * registries are marked stale rather than 'syncing' forever, and drops old runs and stray staging.
 * Any replica may run it: each run is failed by exactly one UPDATE.
 */
@Component
class SyncRunReaper {

    private static final Logger log = LoggerFactory.getLogger(SyncRunReaper.class);

    private final ChunkedSync chunked;

    SyncRunReaper(ChunkedSync chunked) {
        this.chunked = chunked;
    }

    @Scheduled(initialDelayString = "PT1M", fixedDelayString = "${marketplace.sync.run-reap-interval:PT1M}")
    void reap() {
        int failed = chunked.failTimedOutRuns();
        int purged = chunked.purgeFinishedRuns();
        if (failed > 0 || purged > 0) {
            log.info("chunked sync runs: {} timed out, {} finished runs purged", failed, purged);
        }
    }
}
