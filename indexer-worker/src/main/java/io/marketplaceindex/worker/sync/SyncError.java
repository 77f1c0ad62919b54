package io.marketplaceindex.worker.sync;

import java.time.Instant;

/** One entry of a registry's recent errors, as shown to operators. */
public record SyncError(Instant at, String handle, String kind, String message) {
}
