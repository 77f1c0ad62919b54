package io.marketplaceindex.worker.sync.chunked;

import java.time.Instant;
import java.util.UUID;

/**
 * One chunked sync run of one registry (a row of marketplace_sync_runs).
 *
 * @param listed usable handles of the listing: the run is complete when each has a staging row
 */
public record SyncRun(UUID runId, UUID registryId, UUID rebuildId, String reason, boolean force, String status,
               Instant startedAt, int listed, int malformed, int chunksTotal, int chunksDone) {

    static final String PUBLISHING = "publishing";
    static final String RUNNING = "running";
    static final String DONE = "done";
    static final String SUPERSEDED = "superseded";
    static final String FAILED = "failed";
    static final String CANCELLED = "cancelled";

    /** Chunks may still be staged and the run may still be applied. */
    boolean active() {
        return PUBLISHING.equals(status) || RUNNING.equals(status);
    }

    boolean allChunksStaged() {
        return chunksDone >= chunksTotal;
    }
}
