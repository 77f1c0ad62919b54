package io.marketplaceindex.worker.sync;

import io.marketplaceindex.events.RebuildReason;

import java.time.Instant;
import java.util.UUID;

/** One registry to sync, for one rebuild. */
public record SyncRequest(UUID registryId, UUID rebuildId, RebuildReason reason, Instant requestedAt, boolean force) {
}
