package io.marketplaceindex.worker.sync;

/** The tallies of one sync, kept in the registry's state and the rebuild progress. */
public record SyncCounts(int listed, int malformed, int fetched, int unchanged, int added, int updated, int removed,
                         int failed) {

    public boolean changedRows() {
        return added + updated + removed > 0;
    }
}
