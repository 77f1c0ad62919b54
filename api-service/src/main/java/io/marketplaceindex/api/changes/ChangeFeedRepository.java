package io.marketplaceindex.api.changes;

import io.marketplaceindex.api.catalog.ServedAgent;
import io.marketplaceindex.api.web.ReadBudget;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The changes feed: current rows (upserts) and tombstones (removals) merged in (change_xid,
 * registry_id, handle) order. Each side walks its own index in that order (catalog_rows_by_change,
 * catalog_tombstones_by_change) and stops after a page; with {@code updatedSince}, a side with few changes
 * since then takes them from its time index (catalog_rows_by_updated_at, catalog_tombstones_by_removed_at).
 * Every statement runs within the read budget ({@link ReadBudget}).
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
    private final ReadBudget reads;
    private final TransactionTemplate snapshotTx;

    ChangeFeedRepository(JdbcClient jdbc, ReadBudget reads, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.reads = reads;
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
        return reads.read(snapshotTx, () -> {
            // The transaction's snapshot is taken by its first statement (the budget's); the watermark and
            // the page below read in that same one.
            long watermark = jdbc.sql(WATERMARK).query(Long.class).single();
            Statement page = statement(query, watermark);
            List<Row> rows = jdbc.sql(page.sql()).params(page.params())
                    .query((rs, n) -> new Row(rs.getString("change"), rs.getLong("change_xid"),
                            rs.getObject("registry_id", UUID.class), rs.getString("handle"),
                            rs.getObject("at", OffsetDateTime.class), rs.getString("agent")))
                    .list();
            return new Snapshot(watermark, rows);
        });
    }

    record Statement(String sql, List<Object> params) {
    }

    /** The page's statement as {@link #read} runs it (for a look at its plan). */
    Statement statement(ChangeQuery query) {
        return reads.read(snapshotTx, () -> statement(query, jdbc.sql(WATERMARK).query(Long.class).single()));
    }

    /**
     * Both sides walk their change-order index from the cursor and stop after a page. With
     * {@code updatedSince}, a side whose changes since then are few (at most {@link #RECENT_MAX}, counted
     * on its time index) takes those from the time index and sorts them instead: a time after every
     * change (or shortly before now) costs a look at that index, not a walk of the whole feed past rows
     * that do not qualify. A time followed by more changes than that is walked in change order, and
     * the rows' walk starts at the first stamp since then (see {@link #firstStampSince}) rather than
     * at the start of the feed, past every older row.
     */
    private Statement statement(ChangeQuery query, long watermark) {
        OffsetDateTime since = query.updatedSince() == null ? null
                : OffsetDateTime.ofInstant(query.updatedSince(), ZoneOffset.UTC);
        List<Object> params = new ArrayList<>();
        String rows = side(ROWS, query.cursor(), watermark, since, query.limit() + 1, params);
        String tombstones = side(TOMBSTONES, query.cursor(), watermark, since, query.limit() + 1, params);
        params.add(query.limit() + 1);
        String sql = """
                SELECT change, change_xid, registry_id, handle, at, agent::text AS agent
                FROM (%s
                      UNION ALL
                      %s) AS c
                ORDER BY change_xid, registry_id, handle
                LIMIT ?
                """.formatted(rows, tombstones);
        return new Statement(sql, params);
    }

    /** One table of the feed: its change-order index, its time column and that column's index. */
    private record Side(String select, String table, String byChange, String time, String byTime) {
    }

    private static final Side ROWS = new Side("'upsert' AS change, change_xid, registry_id, handle, updated_at AS at, "
            + ServedAgent.jsonb("") + " AS agent",
            "marketplace_catalog_rows", "catalog_rows_by_change", "updated_at", "catalog_rows_by_updated_at");
    private static final Side TOMBSTONES = new Side("'removal', change_xid, registry_id, handle, removed_at, NULL::jsonb",
            "marketplace_catalog_tombstones", "catalog_tombstones_by_change", "removed_at",
            "catalog_tombstones_by_removed_at");

    /**
     * Changes after {@code updatedSince} taken from the time index rather than found by walking the
     * change order: a top-N sort of at most this many rows costs a few milliseconds.
     */
    static final int RECENT_MAX = 10_000;

    private String side(Side side, ChangeCursor cursor, long watermark, OffsetDateTime since, int fetch,
                        List<Object> params) {
        List<String> conditions = new ArrayList<>();
        List<Object> conditionParams = new ArrayList<>();
        conditions.add("change_xid < ?");
        conditionParams.add(watermark);
        if (cursor != null && cursor.isWatermark()) {
            conditions.add("change_xid >= ?");
            conditionParams.add(cursor.changeXid());
        } else if (cursor != null) {
            conditions.add("(change_xid, registry_id, handle) > (?, ?, ?)");
            conditionParams.add(cursor.changeXid());
            conditionParams.add(cursor.registryId());
            conditionParams.add(cursor.handle());
        }
        String from = side.table();
        if (since != null && recentAtMost(side, since)) {
            // the LIMIT keeps the outer conditions out of this walk of the time index: it reads exactly
            // the changes since then (no more than the limit, as just counted in this snapshot)
            from = "(SELECT * FROM %s WHERE %s >= ? ORDER BY %s LIMIT ?) AS recent  -- %s"
                    .formatted(side.table(), side.time(), side.time(), side.byTime());
            params.add(since);
            params.add(RECENT_MAX + 1);
        } else if (since != null) {
            conditions.add(side.time() + " >= ?");
            conditionParams.add(since);
            if (side == ROWS) {
                firstStampSince(since).ifPresent(first -> {
                    conditions.add("change_xid >= ?");
                    conditionParams.add(first);
                });
            }
        }
        params.addAll(conditionParams);
        params.add(fetch);
        return """
                (SELECT %s
                 FROM %s
                 WHERE %s
                 ORDER BY change_xid, registry_id, handle   -- %s, or the few recent rows sorted
                 LIMIT ?)""".formatted(side.select(), from, String.join(" AND ", conditions), side.byChange());
    }

    /** Transactions since {@code updatedSince} looked at to find where its rows start in the change order. */
    static final int STAMPS_MAX = 10_000;

    /**
     * The smallest stamp of the rows changed since {@code since}, found on catalog_rows_by_updated_at
     * (updated_at, change_xid) with one index descent per distinct time since then: the first entry at
     * each time holds that time's smallest stamp. The rows of one transaction share both its time
     * (now()) and its stamp, so that is one descent per registry commit since then. Every row changed
     * since then has a stamp at least this, so the walk in change order may start there.
     *
     * @return empty when more than {@link #STAMPS_MAX} distinct times follow (the walk starts at the feed's start)
     */
    private OptionalLong firstStampSince(OffsetDateTime since) {
        record First(Long stamp, int times) {
        }
        First first = jdbc.sql("""
                        WITH RECURSIVE times AS (
                            (SELECT updated_at, change_xid, 1 AS n
                             FROM marketplace_catalog_rows
                             WHERE updated_at >= ?
                             ORDER BY updated_at, change_xid LIMIT 1)   -- catalog_rows_by_updated_at
                            UNION ALL
                            SELECT next.updated_at, next.change_xid, times.n + 1
                            FROM times CROSS JOIN LATERAL (
                                SELECT updated_at, change_xid
                                FROM marketplace_catalog_rows
                                WHERE updated_at > times.updated_at
                                ORDER BY updated_at, change_xid LIMIT 1) AS next   -- catalog_rows_by_updated_at
                            WHERE times.n <= ?)
                        SELECT min(change_xid), coalesce(max(n), 0) FROM times
                        """)
                .params(since, STAMPS_MAX)
                .query((rs, n) -> new First((Long) rs.getObject(1), rs.getInt(2))).single();
        return first.stamp() == null || first.times() > STAMPS_MAX ? OptionalLong.empty()
                : OptionalLong.of(first.stamp());
    }

    /** Whether at most {@link #RECENT_MAX} changes of this side are as recent as {@code since}: a bounded look at its time index. */
    private boolean recentAtMost(Side side, OffsetDateTime since) {
        long recent = jdbc.sql("SELECT count(*) FROM (SELECT 1 FROM %s WHERE %s >= ? ORDER BY %s LIMIT ?) AS s -- %s"
                        .formatted(side.table(), side.time(), side.time(), side.byTime()))
                .params(since, RECENT_MAX + 1).query(Long.class).single();
        return recent <= RECENT_MAX;
    }

    /** The watermark alone: the feed's head, where a client that has everything before now starts. */
    long watermark() {
        return reads.read(snapshotTx, () -> jdbc.sql(WATERMARK).query(Long.class).single());
    }
}
