package io.marketplaceindex.worker.sync;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Everything a sync hands to {@link SyncCommitter}.
 *
 * @param listed    the complete listing's usable handles: rows it does not name are swept (shrink guard permitting)
 * @param malformed listing entries skipped as unusable
 * @param force     accept a listing the shrink guard would refuse
 * @param results   one result per listed handle, in listing order
 */
public record SyncInput(UUID registryId, Instant startedAt, Set<String> listed, int malformed, boolean force,
                 HandleResults results) {
}
