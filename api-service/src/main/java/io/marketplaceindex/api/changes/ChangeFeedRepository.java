package io.marketplaceindex.api.changes;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The changes feed: current rows (upserts) and tombstones (removals) merged in (change_xid,
 * registry_id, handle) order. Each side walks its own index in that order (catalog_rows_by_change,
 * catalog_tombstones_by_change) and stops after a page.
 *
 * <p>change_xid is the id of the transaction that wrote the change. Ids are handed out when writers
 * begin, not when they commit, so a transaction that is still open may later commit a change below
 * stamps that are already visible. The feed therefore serves only stamps below the watermark, taken
 * from the snapshot it reads in: every transaction with a smaller id had ended, so nothing can appear
 * below a position a reader has passed, and a commit that finishes late is served late, never
 * skipped. Read-only transactions get no id, so API reads and background counts never hold the
 * watermark back; only writer transactions in progress do, and a registry commit lasts seconds.
 */
@Repository
class ChangeFeedRepository {

    /**
     * The watermark of the current snapshot: its xmin (the smallest id still in progress, or xmax
     * when none is), except that transactions seen running in another database of the server are
     * left out. Ids are server-wide, so without that a write transaction left open in some other
     * database (a migration, a forgotten session) would stall the feed; a transaction only ever writes
     * in the database it is connected to. Only a positive match leaves an id out: one that ended
     * meanwhile, or a prepared transaction, stays in, which can hold the watermark back but never move
     * it past a change. backend_xid is the 32-bit form of the id, and ids in progress lie within 2^31
     * of each other, so the low 32 bits identify them. pg_stat_activity shows backend_xid and datid
     * of every session to every role.
     */
    private static final String WATERMARK = """
            SELECT least(pg_snapshot_xmax(s.snap)::text::bigint,
                         (SELECT min(x::text::bigint)
                          FROM pg_snapshot_xip(s.snap) AS x
                          WHERE NOT EXISTS (
                              SELECT 1 FROM pg_stat_activity a
                              WHERE a.backend_xid::text::bigint = x::text::bigint % 4294967296
                                AND a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database()))))
            FROM (SELECT pg_current_snapshot() AS snap) AS s
            """;

    private final JdbcClient jdbc;
    private final TransactionTemplate snapshotTx;

    ChangeFeedRepository(JdbcClient jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        // the page and the watermark it is complete up to must come from one snapshot
        this.snapshotTx = new TransactionTemplate(transactions);
        this.snapshotTx.setReadOnly(true);
        this.snapshotTx.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
    }

    record Row(String change, long changeXid, UUID registryId, String handle, OffsetDateTime at, String agentJson) {
    }

    /**
     * @param watermark every change stamped below it is visible in this snapshot, and no later
     *                  commit can add one; rows holds only such changes
     * @param rows      up to limit + 1 changes after the cursor, so that the caller can tell whether more wait
     */
    record Snapshot(long watermark, List<Row> rows) {
    }

    Snapshot read(ChangeQuery query) {
        List<String> conditions = new ArrayList<>();
        conditions.add("change_xid < ?");
        List<Object> keyset = new ArrayList<>();
        ChangeCursor cursor = query.cursor();
        if (cursor != null && cursor.isWatermark()) {
            conditions.add("change_xid >= ?");
            keyset.add(cursor.changeXid());
        } else if (cursor != null) {
            conditions.add("(change_xid, registry_id, handle) > (?, ?, ?)");
            keyset.add(cursor.changeXid());
            keyset.add(cursor.registryId());
            keyset.add(cursor.handle());
        }
        String rowConditions = where(conditions, query.updatedSince() != null ? "updated_at >= ?" : null);
        String tombstoneConditions = where(conditions, query.updatedSince() != null ? "removed_at >= ?" : null);
        List<Object> sideParams = new ArrayList<>(keyset);
        if (query.updatedSince() != null) {
            // updated_at has no index: with updatedSince alone the scan of catalog_rows_by_change
            // filters its way to the first recent row; following nextCursor afterwards is a pure keyset seek
            sideParams.add(OffsetDateTime.ofInstant(query.updatedSince(), ZoneOffset.UTC));
        }
        int fetch = query.limit() + 1;
        String sql = """
                SELECT change, change_xid, registry_id, handle, at, agent
                FROM ((SELECT 'upsert' AS change, change_xid, registry_id, handle, updated_at AS at, agent::text AS agent
                       FROM marketplace_catalog_rows
                       WHERE %s
                       ORDER BY change_xid, registry_id, handle   -- catalog_rows_by_change
                       LIMIT ?)
                      UNION ALL
                      (SELECT 'removal', change_xid, registry_id, handle, removed_at, NULL
                       FROM marketplace_catalog_tombstones
                       WHERE %s
                       ORDER BY change_xid, registry_id, handle   -- catalog_tombstones_by_change
                       LIMIT ?)) AS c
                ORDER BY change_xid, registry_id, handle
                LIMIT ?
                """.formatted(rowConditions, tombstoneConditions);
        return snapshotTx.execute(status -> {
            // The first statement takes the transaction's snapshot; the page below reads in the same one.
            long watermark = jdbc.sql(WATERMARK).query(Long.class).single();
            List<Object> params = new ArrayList<>();
            params.add(watermark);
            params.addAll(sideParams);
            params.add(fetch);
            params.add(watermark);
            params.addAll(sideParams);
            params.add(fetch);
            params.add(fetch);
            List<Row> rows = jdbc.sql(sql).params(params)
                    .query((rs, n) -> new Row(rs.getString("change"), rs.getLong("change_xid"),
                            rs.getObject("registry_id", UUID.class), rs.getString("handle"),
                            rs.getObject("at", OffsetDateTime.class), rs.getString("agent")))
                    .list();
            return new Snapshot(watermark, rows);
        });
    }

    /** The watermark alone: the feed's head, where a client that has everything before now starts. */
    long watermark() {
        return snapshotTx.execute(status -> jdbc.sql(WATERMARK).query(Long.class).single());
    }

    private static String where(List<String> keyset, String since) {
        List<String> all = new ArrayList<>(keyset);
        if (since != null) {
            all.add(since);
        }
        return String.join(" AND ", all);
    }
}
