package io.marketplaceindex.rebuild;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The detail of a registry's line in a rebuild's progress (marketplace_rebuild_progress.detail): what
 * the worker writes, the api-service serves under {@code detail} and index-sync reads. Each kind of
 * line has its factory; absent fields are left out of the JSON.
 *
 * @param counts                   the sync's tallies, once it committed
 * @param warning                  why rows the listing no longer names were kept (shrink guard)
 * @param fetchStatus              the registry's compatible status of a failed listing ({@code status} in JSON)
 * @param error                    why the sync failed (or, with retrying, why its last attempt failed)
 * @param reason                   why the line was skipped
 * @param runId                    the chunked run that carries (or carried) the sync
 * @param listed                   handles the chunked run's listing named
 * @param chunksDone               chunks of the run staged so far
 * @param chunksTotal              chunks of the run
 * @param satisfiedBySyncStartedAt the start of the sync that answered this line (coalesced or joined)
 * @param runInFlight              the run a joined line waits for
 * @param joinedRebuild            the rebuild whose run a joined line waits for; its end finishes this line
 * @param outcome                  the joined run's status, once it ended
 * @param retrying                 an attempt failed and the command will be tried again
 * @param abandoned                every attempt failed and the command was given up
 * @param other                    fields this version does not know (a newer writer's), kept as they came
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProgressDetail(SyncCounts counts, String warning, @JsonProperty("status") String fetchStatus,
                             String error, String reason, UUID runId, Integer listed, Integer chunksDone,
                             Integer chunksTotal, Instant satisfiedBySyncStartedAt, UUID runInFlight,
                             UUID joinedRebuild, String outcome, Boolean retrying, Boolean abandoned,
                             @JsonAnySetter @JsonAnyGetter Map<String, Object> other) {

    /** The JSON field of {@link #joinedRebuild}, which the worker's SQL finds joined lines by. */
    public static final String JOINED_REBUILD = "joinedRebuild";

    private static final ProgressDetail NONE = new ProgressDetail(null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null);

    public ProgressDetail {
        other = other == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(other));
    }

    /** A queued or freshly started line: nothing to say yet. */
    public static ProgressDetail none() {
        return NONE;
    }

    /** A sync that committed; {@code warning} may be null. */
    public static ProgressDetail synced(SyncCounts counts, String warning) {
        return new ProgressDetail(counts, warning, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null);
    }

    /** A registry that could not be listed (or whose token cannot be used). */
    public static ProgressDetail failed(String fetchStatus, String error) {
        return new ProgressDetail(null, null, fetchStatus, error, null, null, null, null, null, null, null, null, null,
                null, null, null);
    }

    public static ProgressDetail skipped(String reason) {
        return skipped(reason, null);
    }

    /** @param runId the run that was ended, or null */
    public static ProgressDetail skipped(String reason, UUID runId) {
        return new ProgressDetail(null, null, null, null, reason, runId, null, null, null, null, null, null, null,
                null, null, null);
    }

    public static ProgressDetail coalesced(Instant satisfiedBySyncStartedAt) {
        return new ProgressDetail(null, null, null, null, null, null, null, null, null, satisfiedBySyncStartedAt,
                null, null, null, null, null, null);
    }

    /** A line answered by another rebuild's chunked run in flight. */
    public static ProgressDetail joined(Instant satisfiedBySyncStartedAt, UUID runInFlight, UUID joinedRebuild) {
        return new ProgressDetail(null, null, null, null, null, null, null, null, null, satisfiedBySyncStartedAt,
                runInFlight, joinedRebuild, null, null, null, null);
    }

    /** How far a chunked run got. */
    public static ProgressDetail chunks(UUID runId, int listed, int chunksDone, int chunksTotal) {
        return new ProgressDetail(null, null, null, null, null, runId, listed, chunksDone, chunksTotal, null, null,
                null, null, null, null, null);
    }

    /** This detail with the chunked run that carried the sync ({@code listed} left as it is). */
    public ProgressDetail withRun(UUID runId, int chunksDone, int chunksTotal) {
        return new ProgressDetail(counts, warning, fetchStatus, error, reason, runId, listed, chunksDone, chunksTotal,
                satisfiedBySyncStartedAt, runInFlight, joinedRebuild, outcome, retrying, abandoned, other);
    }

    public ProgressDetail withError(String error) {
        return new ProgressDetail(counts, warning, fetchStatus, error, reason, runId, listed, chunksDone, chunksTotal,
                satisfiedBySyncStartedAt, runInFlight, joinedRebuild, outcome, retrying, abandoned, other);
    }
}
