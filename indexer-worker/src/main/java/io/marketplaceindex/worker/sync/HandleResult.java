package io.marketplaceindex.worker.sync;

import io.marketplaceindex.worker.catalog.RowWrite;

import java.time.Instant;

/**
 * What fetching one listed handle produced. The documents are already serialized: results of a
 * large registry are held until the commit (in memory, or in staging for a chunked run), and text
 * is both smaller than a JSON tree and what gets written.
 */
public sealed interface HandleResult {

    String handle();

    /** Record and card answered 304, or the record 304 while the stored card is fresh: nothing to write. */
    record NotModified(String handle) implements HandleResult {
    }

    /**
     * Record and card answered 304 and the card's freshness changed: only that is written (the
     * source row's timestamp), not the catalog row; the agent counts as unchanged.
     *
     * @param cardFreshUntil the card's new freshness; null: no longer fresh
     */
    record CardRevalidated(String handle, Instant cardFreshUntil) implements HandleResult {
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
