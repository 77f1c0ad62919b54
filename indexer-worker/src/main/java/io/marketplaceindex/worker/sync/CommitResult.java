package io.marketplaceindex.worker.sync;

import io.marketplaceindex.rebuild.SyncCounts;

/**
 * @param generation the catalog generation this commit produced, or 0 when no row changed
 * @param warning    why rows the listing no longer names were kept (shrink guard), or null
 */
public record CommitResult(long generation, SyncCounts counts, String warning) {
}
