package io.marketplaceindex.worker.sync.chunked;

import java.time.Instant;

/**
 * What a sync request may do, decided in one place ({@link ChunkedSync#admit} before the registry is
 * listed, {@link ChunkedSync#admitListed} once it is). Every answer but {@link Proceed} means the
 * request needs no work of the caller's: its line is finished, joined or carried by a chunked run.
 */
public sealed interface SyncAdmission {

    /** A sync that began after the request already succeeded: its result answers the request. */
    record Coalesced(Instant satisfiedBySyncStartedAt) implements SyncAdmission {
    }

    /** A redelivered rebuild whose chunked run is in flight or applied: its chunks carry on. */
    record AlreadyHandled(SyncRun run) implements SyncAdmission {
    }

    /** A chunked run that began after the request is under way; the request's line follows it. */
    record Joined(SyncRun run) implements SyncAdmission {
    }

    /** The caller syncs the registry itself (any older chunked run is superseded once it is listed). */
    record Proceed() implements SyncAdmission {
    }

    /** The listing is large: a chunked run was recorded and its chunks published. */
    record Chunked(SyncRun run) implements SyncAdmission {
    }
}
