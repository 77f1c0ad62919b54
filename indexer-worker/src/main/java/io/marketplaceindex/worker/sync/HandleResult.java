package io.marketplaceindex.worker.sync;

import io.marketplaceindex.worker.catalog.RowWrite;

/**
 * What fetching one listed handle produced. The documents are already serialized: results of a
 * large registry are held until the commit (in memory, or in staging for a chunked run), and text
 * is both smaller than a JSON tree and what gets written.
 */
sealed interface HandleResult {

    String handle();

    /** Record and card answered 304: nothing to write. */
    record NotModified(String handle) implements HandleResult {
    }

    /** A freshly built agent; the committer compares its hash and validators with the stored row. */
    record Fetched(RowWrite write) implements HandleResult {

        @Override
        public String handle() {
            return write.handle();
        }
    }

    /** The registry says 404 or 410 for a listed handle: the row goes. */
    record Gone(String handle, int httpStatus) implements HandleResult {
    }

    /** This handle could not be fetched or used; its stored row (if any) is kept as it was. */
    record Failed(String handle, String kind, String message) implements HandleResult {
    }
}
