package io.marketplaceindex.worker.sync.chunked;

import io.marketplaceindex.agent.AgentIndexFields;
import io.marketplaceindex.worker.catalog.RowWrite;
import io.marketplaceindex.worker.sync.HandleResult;
import io.marketplaceindex.worker.sync.HandleResults;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Chunked sync runs, their counted chunks and their staged results (see V2__chunked_sync.sql). Staging
 * is written by any replica; only the registry's single writer reads it back, to apply a complete run.
 */
@Repository
class SyncRunStore {

    private static final String RUN_COLUMNS = """
            run_id, registry_id, rebuild_id, reason, force, status, started_at, listed, malformed,
            chunks_total, chunks_done""";

    private static final RowMapper<SyncRun> RUN = (rs, n) -> new SyncRun(rs.getObject("run_id", UUID.class),
            rs.getObject("registry_id", UUID.class), rs.getObject("rebuild_id", UUID.class), rs.getString("reason"),
            rs.getBoolean("force"), rs.getString("status"), rs.getTimestamp("started_at").toInstant(),
            rs.getInt("listed"), rs.getInt("malformed"), rs.getInt("chunks_total"), rs.getInt("chunks_done"));

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;

    SyncRunStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
    }

    void create(SyncRun run) {
        // sync_runs_one_active_per_registry refuses a second active run: callers end the old one first
        jdbc.sql("""
                        INSERT INTO marketplace_sync_runs
                            (run_id, registry_id, rebuild_id, reason, force, status, started_at, listed, malformed,
                             chunks_total)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                .params(run.runId(), run.registryId(), run.rebuildId(), run.reason(), run.force(), run.status(),
                        Timestamp.from(run.startedAt()), run.listed(), run.malformed(), run.chunksTotal())
                .update();
    }

    Optional<SyncRun> find(UUID runId) {
        return jdbc.sql("SELECT " + RUN_COLUMNS + " FROM marketplace_sync_runs WHERE run_id = ?") // primary key
                .param(runId).query(RUN).optional();
    }

    /** The latest run started for this rebuild of this registry (a redelivered rebuild finds it). */
    Optional<SyncRun> findForRebuild(UUID registryId, UUID rebuildId) {
        return jdbc.sql("SELECT " + RUN_COLUMNS + """
                         FROM marketplace_sync_runs
                        WHERE registry_id = ? AND rebuild_id = ?  -- sync_runs_by_rebuild
                        ORDER BY started_at DESC LIMIT 1
                        """)
                .params(registryId, rebuildId).query(RUN).optional();
    }

    /** The registry's run in flight (publishing or running), if any. */
    Optional<SyncRun> findActive(UUID registryId) {
        return jdbc.sql("SELECT " + RUN_COLUMNS + """
                         FROM marketplace_sync_runs
                        WHERE registry_id = ? AND status IN ('publishing', 'running')  -- sync_runs_one_active_per_registry
                        """)
                .param(registryId).query(RUN).optional();
    }

    /**
     * Locks the run's row until the end of the transaction and returns it if it is still active.
     * Every transition and every chunk count takes this lock, so a chunk never lands in a run that
     * was superseded, failed or applied meanwhile.
     */
    Optional<SyncRun> lockActive(UUID runId) {
        return jdbc.sql("SELECT " + RUN_COLUMNS + " FROM marketplace_sync_runs WHERE run_id = ? FOR UPDATE")
                .param(runId).query(RUN).optional().filter(SyncRun::active);
    }

    void markRunning(UUID runId) {
        jdbc.sql("UPDATE marketplace_sync_runs SET status = 'running' WHERE run_id = ? AND status = 'publishing'")
                .param(runId).update();
    }

    /** Ends the registry's active run, if any, and drops its staging. */
    List<SyncRun> endActive(UUID registryId, String status, String error) {
        List<SyncRun> ended = jdbc.sql("""
                        UPDATE marketplace_sync_runs SET status = ?, finished_at = now(), error = ?
                        WHERE registry_id = ? AND status IN ('publishing', 'running')  -- sync_runs_one_active_per_registry
                        RETURNING\s""" + RUN_COLUMNS)
                .params(status, error, registryId).query(RUN).list();
        // A statement of its own: it must see staging that a chunk committed while the update above waited.
        ended.forEach(run -> deleteStaging(run.runId()));
        return ended;
    }

    /** Fails every active run started before the cutoff and drops its staging. */
    List<SyncRun> failStartedBefore(Instant cutoff, String error) {
        List<SyncRun> failed = jdbc.sql("""
                        UPDATE marketplace_sync_runs SET status = 'failed', finished_at = now(), error = ?
                        WHERE status IN ('publishing', 'running') AND started_at < ?  -- sync_runs_active_by_started_at
                        RETURNING\s""" + RUN_COLUMNS)
                .params(error, Timestamp.from(cutoff)).query(RUN).list();
        failed.forEach(run -> deleteStaging(run.runId()));
        return failed;
    }

    void finish(UUID runId, String status, String error) {
        jdbc.sql("UPDATE marketplace_sync_runs SET status = ?, finished_at = now(), error = ? WHERE run_id = ?")
                .params(status, error, runId).update();
    }

    boolean isChunkCounted(UUID runId, int chunkIndex) {
        return jdbc.sql("SELECT count(*) FROM marketplace_sync_chunks WHERE run_id = ? AND chunk_index = ?") // primary key
                .params(runId, chunkIndex).query(Integer.class).single() > 0;
    }

    /** @return false when this chunk was counted already (a redelivery): it must not count twice */
    boolean recordChunk(UUID runId, int chunkIndex, int handles) {
        return jdbc.sql("""
                        INSERT INTO marketplace_sync_chunks (run_id, chunk_index, handles) VALUES (?, ?, ?)
                        ON CONFLICT (run_id, chunk_index) DO NOTHING
                        """)
                .params(runId, chunkIndex, handles).update() == 1;
    }

    /** @return the run's chunks counted so far, this one included */
    int countChunk(UUID runId) {
        return jdbc.sql("""
                        UPDATE marketplace_sync_runs SET chunks_done = chunks_done + 1
                        WHERE run_id = ? RETURNING chunks_done
                        """)
                .param(runId).query(Integer.class).single();
    }

    /** Stages one chunk's results; {@code (chunkIndex, position in results)} keeps the listing order. */
    void stage(UUID runId, int chunkIndex, List<HandleResult> results, int batchSize) {
        int[] position = {0};
        jdbcTemplate.batchUpdate("""
                INSERT INTO marketplace_sync_staging
                    (run_id, handle, chunk_index, position, kind, agent, sort_name, search_text, tags, content_hash,
                     record, card, record_etag, card_etag, card_last_modified, card_error, http_status, error_kind, error,
                     card_fresh_until, card_url, proof_status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, results, batchSize, (ps, result) -> {
            ps.setObject(1, runId);
            ps.setString(2, result.handle());
            ps.setInt(3, chunkIndex);
            ps.setInt(4, position[0]++);
            RowWrite write = result instanceof HandleResult.Fetched f ? f.write() : null;
            ps.setString(5, kind(result));
            ps.setString(6, write == null ? null : write.agentJson());
            ps.setString(7, write == null ? null : write.fields().sortName());
            ps.setString(8, write == null ? null : write.fields().searchText());
            ps.setArray(9, write == null ? null : ps.getConnection().createArrayOf("text",
                    write.fields().tags().toArray()));
            ps.setBytes(10, write == null ? null : write.fields().contentHash());
            ps.setString(11, write == null ? null : write.recordJson());
            ps.setString(12, write == null ? null : write.cardJson());
            ps.setString(13, write == null ? null : write.recordEtag());
            ps.setString(14, write == null ? null : write.cardEtag());
            ps.setString(15, write == null ? null : write.cardLastModified());
            ps.setString(16, write == null ? null : write.cardError());
            if (result instanceof HandleResult.Gone gone) {
                ps.setInt(17, gone.httpStatus());
            } else {
                ps.setNull(17, Types.INTEGER);
            }
            HandleResult.Failed failed = result instanceof HandleResult.Failed f ? f : null;
            ps.setString(18, failed == null ? null : failed.kind());
            // a fetched row's error column holds its card error as operators read it (card_error: public)
            ps.setString(19, failed != null ? failed.message() : write == null ? null : write.cardErrorDetail());
            Instant freshUntil = write != null ? write.cardFreshUntil()
                    : result instanceof HandleResult.CardRevalidated r ? r.cardFreshUntil() : null;
            ps.setTimestamp(20, freshUntil == null ? null : Timestamp.from(freshUntil));
            ps.setString(21, write == null ? null : write.cardUrl());
            ps.setString(22, write == null ? null : write.fields().proofStatus());
        });
    }

    int stagedCount(UUID runId) {
        return jdbc.sql("SELECT count(*) FROM marketplace_sync_staging WHERE run_id = ?") // primary key prefix
                .param(runId).query(Integer.class).single();
    }

    /** The run's complete listing: every handle that has a staging row. */
    Set<String> stagedHandles(UUID runId) {
        return new HashSet<>(jdbc.sql("SELECT handle FROM marketplace_sync_staging WHERE run_id = ?") // primary key prefix
                .param(runId).query(String.class).list());
    }

    /** The run's results in listing order, a page at a time (keyset on sync_staging_in_listing_order). */
    HandleResults stagedResults(UUID runId) {
        return (batchSize, batch) -> {
            int afterChunk = -1;
            int afterPosition = -1;
            while (true) {
                List<Staged> page = jdbc.sql("""
                                SELECT chunk_index, position, handle, kind, agent, sort_name, search_text, tags,
                                       content_hash, record, card, record_etag, card_etag, card_last_modified,
                                       card_error, http_status, error_kind, error, card_fresh_until, card_url, proof_status
                                FROM marketplace_sync_staging
                                WHERE run_id = ? AND (chunk_index, position) > (?, ?)  -- sync_staging_in_listing_order
                                ORDER BY chunk_index, position
                                LIMIT ?
                                """)
                        .params(runId, afterChunk, afterPosition, batchSize)
                        .query((rs, n) -> new Staged(rs.getInt("chunk_index"), rs.getInt("position"), result(rs)))
                        .list();
                if (page.isEmpty()) {
                    return;
                }
                batch.accept(page.stream().map(Staged::result).toList());
                Staged last = page.get(page.size() - 1);
                afterChunk = last.chunkIndex();
                afterPosition = last.position();
                if (page.size() < batchSize) {
                    return;
                }
            }
        };
    }

    void deleteStaging(UUID runId) {
        jdbc.sql("DELETE FROM marketplace_sync_staging WHERE run_id = ?").param(runId).update(); // primary key prefix
    }

    /**
     * Drops finished runs past their retention (chunks and staging go with them), and any staging
     * left behind by a run that is no longer active.
     *
     * @return finished runs deleted
     */
    int purge(Instant finishedBefore) {
        int runs = jdbc.sql("DELETE FROM marketplace_sync_runs WHERE finished_at < ?") // sync_runs_by_finished_at
                .param(Timestamp.from(finishedBefore)).update();
        jdbc.sql("""
                        DELETE FROM marketplace_sync_staging  -- primary key prefix, per inactive run
                        WHERE run_id IN (SELECT run_id FROM marketplace_sync_runs WHERE status NOT IN ('publishing', 'running'))
                        """)
                .update();
        return runs;
    }

    private static String kind(HandleResult result) {
        if (result instanceof HandleResult.NotModified) {
            return "not_modified";
        } else if (result instanceof HandleResult.CardRevalidated) {
            return "card_revalidated";
        } else if (result instanceof HandleResult.Fetched) {
            return "fetched";
        } else if (result instanceof HandleResult.Gone) {
            return "gone";
        }
        return "failed";
    }

    private static HandleResult result(ResultSet rs) throws SQLException {
        String handle = rs.getString("handle");
        String kind = rs.getString("kind");
        Timestamp freshUntil = rs.getTimestamp("card_fresh_until");
        Instant cardFreshUntil = freshUntil == null ? null : freshUntil.toInstant();
        switch (kind) {
            case "not_modified":
                return new HandleResult.NotModified(handle);
            case "card_revalidated":
                return new HandleResult.CardRevalidated(handle, cardFreshUntil);
            case "gone":
                return new HandleResult.Gone(handle, rs.getInt("http_status"));
            case "failed":
                return new HandleResult.Failed(handle, rs.getString("error_kind"), rs.getString("error"));
            case "fetched":
                AgentIndexFields fields = new AgentIndexFields(rs.getString("sort_name"), rs.getString("search_text"),
                        textArray(rs.getArray("tags")), rs.getBytes("content_hash"), rs.getString("proof_status"));
                return new HandleResult.Fetched(new RowWrite(handle, rs.getString("agent"), fields,
                        rs.getString("record"), rs.getString("card_url"), rs.getString("card"),
                        rs.getString("record_etag"), rs.getString("card_etag"), rs.getString("card_last_modified"),
                        rs.getString("card_error"), cardFreshUntil,
                        rs.getString("error") != null ? rs.getString("error") : rs.getString("card_error")));
            default:
                throw new IllegalStateException("unknown staged result kind '" + kind + "' for handle " + handle);
        }
    }

    private static List<String> textArray(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }

    private record Staged(int chunkIndex, int position, HandleResult result) {
    }
}
