package io.marketplaceindex.api.rebuild;

import io.marketplaceindex.api.web.Millis;
import io.marketplaceindex.rebuild.ProgressDetail;
import io.marketplaceindex.rebuild.ProgressStatus;
import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;
import java.util.UUID;

/**
 * One registry's line of a rebuild's progress: {@code queued} until a worker picks it up, then the
 * worker's status and detail. Times are shown to the millisecond, as this answer always showed them.
 *
 * @param reason why the rebuild was asked for (operator, cron, registry-edited, ...)
 */
public record ProgressLine(UUID registryId, String name, String reason, ProgressStatus status,
                           @Millis Instant requestedAt,
                           @Millis Instant startedAt,
                           @Millis Instant finishedAt,
                           @Schema(description = "what the worker reported: counts once synced, error when failed, "
                                   + "chunk progress of a large registry, why it was skipped or coalesced")
                           ProgressDetail detail) {
}
