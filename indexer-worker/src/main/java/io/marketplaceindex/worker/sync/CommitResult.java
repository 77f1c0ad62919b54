package io.marketplaceindex.worker.sync;

/** @param generation the catalog generation this commit produced, or 0 when no row changed */
record CommitResult(long generation, SyncCounts counts) {
}
