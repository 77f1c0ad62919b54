package io.marketplaceindex.worker.sync;

import io.marketplaceindex.rebuild.ProgressDetail;
import io.marketplaceindex.rebuild.ProgressStatus;
import io.marketplaceindex.rebuild.SyncCounts;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Per-registry sync state and per-rebuild progress, as operators read them through the API. */
@Repository
public class SyncStateStore {

    /** Recent errors kept per registry, newest first. */
    static final int MAX_RECENT_ERRORS = 100;

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final long minRecommendedTtlSeconds;

    public SyncStateStore(JdbcClient jdbc, JsonMapper json, SyncProperties properties) {
        this.jdbc = jdbc;
        this.json = json;
        this.minRecommendedTtlSeconds = properties.minRecommendedTtl().toSeconds();
    }

    /**
     * A sync begins: the registry shows 'syncing' and the rebuild's line for it 'syncing' too. One
     * statement, so one commit: each commit waits for its WAL flush, and every sync starts with this.
     */
    public void syncStarted(UUID rebuildId, UUID registryId, String reason, Instant startedAt) {
        jdbc.sql("""
                        WITH progress AS (
                            INSERT INTO marketplace_rebuild_progress (rebuild_id, registry_id, reason, status)
                            VALUES (?, ?, ?, 'syncing')
                            ON CONFLICT (rebuild_id, registry_id) DO UPDATE
                            SET status = 'syncing', started_at = now(), finished_at = NULL
                        )
                        UPDATE marketplace_registries SET sync_status = 'syncing', last_attempt_at = ? WHERE id = ?
                        """)
                .params(rebuildId, registryId, reason, Timestamp.from(startedAt), registryId).update();
    }

    /** A completed sync: the listing was read; some handles may have failed on their own. */
    public void recordSuccess(UUID registryId, Instant startedAt, Instant finishedAt, SyncCounts counts,
                              List<SyncError> errors, String warning) {
        jdbc.sql("""
                        UPDATE marketplace_registries
                        SET sync_status = 'ok', last_sync_status = 'ok', last_finished_at = ?, last_success_at = ?,
                            last_success_started_at = ?, last_duration_ms = ?, consecutive_failures = 0,
                            last_error = ?, last_error_public = NULL, last_counts = ?::jsonb,
                            record_count = (SELECT count(*) FROM marketplace_catalog_rows WHERE registry_id = ?),
                            recommended_ttl_seconds = %s,
                            recent_errors = %s
                        WHERE id = ?
                        """.formatted(RECOMMENDED_TTL, MERGE_ERRORS))
                .params(Timestamp.from(finishedAt), Timestamp.from(finishedAt), Timestamp.from(startedAt),
                        Duration.between(startedAt, finishedAt).toMillis(), warning, json.writeValueAsString(counts),
                        registryId, minRecommendedTtlSeconds, registryId, json.writeValueAsString(errors),
                        MAX_RECENT_ERRORS, registryId)
                .update();
    }

    /**
     * The registry could not be read: its rows stay as they were, marked stale (or failed when it
     * never had any).
     *
     * @param error       the detail, for operators (last_error, recent_errors)
     * @param publicError what the public catalog shows instead ({@code meta.sources[].error}): fixed text
     *                    that names no host, address or kind of network failure
     */
    public void recordFailure(UUID registryId, Instant startedAt, Instant finishedAt, String compatibleStatus,
                              SyncError error, String publicError) {
        jdbc.sql("""
                        UPDATE marketplace_registries
                        SET sync_status = CASE WHEN record_count > 0 THEN 'stale' ELSE 'failed' END,
                            last_sync_status = ?, last_finished_at = ?, last_duration_ms = ?,
                            consecutive_failures = consecutive_failures + 1, last_error = ?,
                            last_error_public = ?, recent_errors = %s
                        WHERE id = ?
                        """.formatted(MERGE_ERRORS))
                .params(compatibleStatus, Timestamp.from(finishedAt),
                        Duration.between(startedAt, finishedAt).toMillis(), error.message(), publicError,
                        json.writeValueAsString(List.of(error)), MAX_RECENT_ERRORS, registryId)
                .update();
    }

    public void recordRowCount(UUID registryId) {
        jdbc.sql("""
                        UPDATE marketplace_registries
                        SET record_count = (SELECT count(*) FROM marketplace_catalog_rows WHERE registry_id = ?)
                        WHERE id = ?
                        """)
                .params(registryId, registryId).update();
    }

    public void progressFinished(UUID rebuildId, UUID registryId, String reason, ProgressStatus status,
                                 ProgressDetail detail) {
        jdbc.sql("""
                        INSERT INTO marketplace_rebuild_progress (rebuild_id, registry_id, reason, status, finished_at, detail)
                        VALUES (?, ?, ?, ?, now(), ?::jsonb)
                        ON CONFLICT (rebuild_id, registry_id) DO UPDATE
                        SET status = EXCLUDED.status, finished_at = EXCLUDED.finished_at, detail = EXCLUDED.detail
                        """)
                .params(rebuildId, registryId, reason, status.value(), json.writeValueAsString(detail)).update();
        finishJoined(registryId, rebuildId, status);
    }

    /**
     * Finishes the lines of rebuilds that joined this rebuild's run: answered ('coalesced') when it
     * synced, with its outcome otherwise.
     */
    public void finishJoined(UUID registryId, UUID rebuildId, ProgressStatus status) {
        ProgressStatus joined = status.synced() ? ProgressStatus.COALESCED : status;
        jdbc.sql("""
                        UPDATE marketplace_rebuild_progress
                        SET status = ?, finished_at = now(),
                            detail = detail || jsonb_build_object('outcome', ?::text)
                        WHERE registry_id = ? AND status = 'syncing'
                          AND detail ->> '%s' = ?  -- rebuild_progress_joined
                        """.formatted(ProgressDetail.JOINED_REBUILD))
                .params(joined.value(), status.value(), registryId, rebuildId.toString()).update();
    }

    /**
     * A rebuild answered by another rebuild's chunked run in flight: its line stays 'syncing' until that
     * run ends ({@link #progressFinished} of the run's rebuild finishes it too).
     */
    public void progressJoined(UUID rebuildId, UUID registryId, String reason, ProgressDetail joined) {
        jdbc.sql("""
                        INSERT INTO marketplace_rebuild_progress (rebuild_id, registry_id, reason, status, detail)
                        VALUES (?, ?, ?, 'syncing', ?::jsonb)
                        ON CONFLICT (rebuild_id, registry_id) DO UPDATE
                        SET status = 'syncing', finished_at = NULL, detail = EXCLUDED.detail
                        """)
                .params(rebuildId, registryId, reason, json.writeValueAsString(joined)).update();
    }

    /** An attempt failed and the command will be tried again: the line stays 'syncing', with the error. */
    public void progressRetrying(UUID rebuildId, UUID registryId, String error) {
        jdbc.sql("""
                        UPDATE marketplace_rebuild_progress
                        SET detail = detail || jsonb_build_object('error', ?::text, 'retrying', true)
                        WHERE rebuild_id = ? AND registry_id = ? AND status = 'syncing'  -- primary key
                        """)
                .params(error, rebuildId, registryId).update();
    }

    /** No attempt succeeded and the command is given up: a line still 'syncing' ends as failed. */
    public void progressAbandoned(UUID rebuildId, UUID registryId, String error) {
        jdbc.sql("""
                        UPDATE marketplace_rebuild_progress
                        SET status = 'failed', finished_at = now(),
                            detail = (detail - 'retrying') || jsonb_build_object('error', ?::text, 'abandoned', true)
                        WHERE rebuild_id = ? AND registry_id = ? AND status = 'syncing'  -- primary key
                        """)
                .params(error, rebuildId, registryId).update();
    }

    /** A chunked run in flight: how far it got, shown while the rebuild's line is still 'syncing'. */
    public void progressChunks(UUID rebuildId, UUID registryId, ProgressDetail detail) {
        jdbc.sql("""
                        UPDATE marketplace_rebuild_progress SET detail = ?::jsonb
                        WHERE rebuild_id = ? AND registry_id = ? AND status = 'syncing'  -- primary key
                        """)
                .params(json.writeValueAsString(detail), rebuildId, registryId).update();
    }

    /**
     * The smallest ttlSecondsRecommended of the registry's rows, raised to the minimum (first parameter), in
     * whole seconds rounded down; NULL when no row recommends one. The first entry of
     * catalog_rows_recommended_ttl for the registry, however many rows it has.
     */
    private static final String RECOMMENDED_TTL = """
            (SELECT floor(greatest(?, least(t, 2147483647)))::integer
             FROM (SELECT (agent -> 'ttlSecondsRecommended')::numeric AS t FROM marketplace_catalog_rows
                   WHERE registry_id = ? AND jsonb_typeof(agent -> 'ttlSecondsRecommended') = 'number'
                   ORDER BY (agent -> 'ttlSecondsRecommended')::numeric LIMIT 1) smallest)""";

    /** New errors first, then the older ones, cut to the newest MAX_RECENT_ERRORS. */
    private static final String MERGE_ERRORS = """
            (SELECT coalesce(jsonb_agg(e ORDER BY (e->>'at')::timestamptz DESC), '[]'::jsonb)
             FROM (SELECT e FROM jsonb_array_elements(?::jsonb || recent_errors) e
                   ORDER BY (e->>'at')::timestamptz DESC LIMIT ?) newest)""";
}
