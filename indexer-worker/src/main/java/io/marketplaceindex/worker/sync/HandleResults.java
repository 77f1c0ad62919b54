package io.marketplaceindex.worker.sync;

import java.util.List;
import java.util.function.Consumer;

/**
 * The results of one sync, one per listed handle, in listing order, handed to the committer batch
 * by batch: a chunked run of a very large registry streams them from staging instead of holding
 * them all in memory.
 */
@FunctionalInterface
public interface HandleResults {

    void forEachBatch(int batchSize, Consumer<List<HandleResult>> batch);

    /** Results already in memory (the single-thread sync). */
    static HandleResults of(List<HandleResult> results) {
        return (batchSize, batch) -> {
            for (int from = 0; from < results.size(); from += batchSize) {
                batch.accept(results.subList(from, Math.min(results.size(), from + batchSize)));
            }
        };
    }
}
