package io.marketplaceindex.worker.catalog;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Every statement that writes the index. Callers provide the transaction: a registry's changes
 * are committed together with its sync state and the generation bump (see SyncCommitter).
 *
 * <p>Rows and tombstones are stamped with the writing transaction's id ({@link #CHANGE_STAMP}), which
 * takes no lock, so registry commits overlap. The only rows every commit shares, the tag counters
 * and the catalog generation, are written last ({@link #sealChange}): transactions wait for each
 * other only over that tail and their COMMIT.
 */
@Repository
public class CatalogStore {

    private final JdbcTemplate jdbcTemplate;
    private final JdbcClient jdbc;
    private final Timer generationWait;

    public CatalogStore(JdbcTemplate jdbcTemplate, JdbcClient jdbc, MeterRegistry meters) {
        this.jdbcTemplate = jdbcTemplate;
        this.jdbc = jdbc;
        // The serialized tail of a commit: waiting for the shared counters and the generation (see sealChange).
        this.generationWait = meters.timer("marketplace.sync.generation.wait");
    }

    /**
     * The change stamp of rows and tombstones: the writing transaction's id. It is assigned without
     * any lock, and a transaction that has not ended holds back the snapshot xmin of every reader,
     * which is how the changes feed keeps a stamp from appearing below a position it has served.
     */
    static final String CHANGE_STAMP = "pg_current_xact_id()::text::bigint";

    private static final String STORED_ROW_COLUMNS = """
            SELECT r.handle, r.content_hash, r.tags, s.record_etag, s.card_etag, s.card_last_modified,
                   s.record IS NOT NULL AS has_record, s.card IS NOT NULL AS has_card, s.card_url,
                   s.card_fresh_until, r.proof_status IS NOT NULL AS proof_checked
            FROM marketplace_catalog_rows r
            LEFT JOIN marketplace_catalog_sources s USING (registry_id, handle)
            """;

    /** The registry's rows with their validators. Walks the primary key (registry_id, handle). */
    public Map<String, StoredRow> loadState(UUID registryId) {
        Map<String, StoredRow> rows = new HashMap<>();
        jdbcTemplate.query(STORED_ROW_COLUMNS + "WHERE r.registry_id = ?",
                rs -> {
                    StoredRow row = storedRow(rs);
                    rows.put(row.handle(), row);
                }, registryId);
        return rows;
    }

    /**
     * The stored rows of some of a registry's handles (one chunk of a chunked sync). Probes the
     * primary keys (registry_id, handle) of both tables.
     */
    public Map<String, StoredRow> loadState(UUID registryId, Collection<String> handles) {
        Map<String, StoredRow> rows = new HashMap<>();
        if (handles.isEmpty()) {
            return rows;
        }
        jdbcTemplate.query(con -> {
            PreparedStatement ps = con.prepareStatement(STORED_ROW_COLUMNS
                    + "WHERE r.registry_id = ? AND r.handle = ANY (?)");
            ps.setObject(1, registryId);
            ps.setArray(2, con.createArrayOf("text", handles.toArray()));
            return ps;
        }, rs -> {
            StoredRow row = storedRow(rs);
            rows.put(row.handle(), row);
        });
        return rows;
    }

    private static StoredRow storedRow(ResultSet rs) throws SQLException {
        return new StoredRow(rs.getString("handle"), rs.getBytes("content_hash"), textArray(rs.getArray("tags")),
                rs.getString("record_etag"), rs.getString("card_etag"), rs.getString("card_last_modified"),
                rs.getBoolean("has_record"), rs.getBoolean("has_card"), rs.getString("card_url"),
                instant(rs.getTimestamp("card_fresh_until")), rs.getBoolean("proof_checked"));
    }

    public Optional<String> storedRecord(UUID registryId, String handle) {
        return jdbc.sql("SELECT record FROM marketplace_catalog_sources WHERE registry_id = ? AND handle = ?")
                .params(registryId, handle).query(String.class).optional();
    }

    public Optional<String> storedCard(UUID registryId, String handle) {
        return jdbc.sql("SELECT card FROM marketplace_catalog_sources WHERE registry_id = ? AND handle = ?")
                .params(registryId, handle).query(String.class).optional();
    }

    /**
     * The end of a transaction that changed rows: applies its tag-count deltas, then takes the next
     * catalog generation. Call it as the last statement before COMMIT. The row locks these take are
     * held until COMMIT and shared by every writer, so they are taken as late as possible: what a
     * commit waits for here is only the tails of the commits ahead of it, never their row writes.
     * The counters come first, in sorted key order, and the generation after them, in every writer,
     * so two tails cannot deadlock. Commit order equals generation order, which the api-service's
     * cache keys and catalog-change events rely on.
     *
     * <p>One statement does all of that ({@link #SEAL_CHANGE}): every round trip inside the tail
     * lengthens the queue of commits behind it. Counters that fell to zero are deleted by a second
     * one, only when some count went down.
     *
     * @return the generation this commit produced
     */
    public long sealChange(TagCountDeltas deltas) {
        return generationWait.record(() -> {
            CounterChanges changes = CounterChanges.of(deltas);
            long generation = jdbcTemplate.query(con -> {
                PreparedStatement ps = con.prepareStatement(SEAL_CHANGE);
                ps.setArray(1, con.createArrayOf("text", changes.tags().toArray()));
                ps.setArray(2, con.createArrayOf("int4", changes.tagDeltas().toArray()));
                ps.setArray(3, con.createArrayOf("text", changes.pairFirst().toArray()));
                ps.setArray(4, con.createArrayOf("text", changes.pairSecond().toArray()));
                ps.setArray(5, con.createArrayOf("int4", changes.pairDeltas().toArray()));
                return ps;
            }, rs -> {
                rs.next();
                return rs.getLong(1);
            });
            if (changes.anyDecrease()) {
                jdbcTemplate.update(con -> {
                    PreparedStatement ps = con.prepareStatement(DELETE_ZERO_COUNTERS);
                    ps.setArray(1, con.createArrayOf("text", changes.tags().toArray()));
                    ps.setArray(2, con.createArrayOf("text", changes.pairFirst().stream().distinct().toArray()));
                    return ps;
                });
            }
            return generation;
        });
    }

    /**
     * Tag and tag-pair count deltas, then the generation bump. The UPDATE's conditions on the two
     * inserts are uncorrelated subqueries, evaluated once before it reads the generation row: that
     * pins the lock order (counters, sorted by the ORDER BY of each insert, then the generation), which
     * data-modifying CTEs alone leave unspecified. Probes the primary keys of both counter tables.
     */
    private static final String SEAL_CHANGE = """
            WITH tag_rows AS (
                INSERT INTO marketplace_tag_counts AS t (tag, agent_count)
                SELECT tag, delta FROM unnest(?::text[], ?::int[]) AS d(tag, delta) ORDER BY tag
                ON CONFLICT (tag) DO UPDATE SET agent_count = t.agent_count + EXCLUDED.agent_count
                RETURNING 1
            ), pair_rows AS (
                INSERT INTO marketplace_tag_pair_counts AS p (tag_a, tag_b, agent_count)
                SELECT a, b, delta FROM unnest(?::text[], ?::text[], ?::int[]) AS d(a, b, delta) ORDER BY a, b
                ON CONFLICT (tag_a, tag_b) DO UPDATE SET agent_count = p.agent_count + EXCLUDED.agent_count
                RETURNING 1
            )
            UPDATE marketplace_catalog_state SET generation = generation + 1, built_at = now()
            WHERE id = 1 AND (SELECT count(*) FROM tag_rows) >= 0 AND (SELECT count(*) FROM pair_rows) >= 0
            RETURNING generation
            """;

    /** Counters at zero mean no agent: gone, so that facets list only tags in use. Primary keys again. */
    private static final String DELETE_ZERO_COUNTERS = """
            WITH unused_tags AS (
                DELETE FROM marketplace_tag_counts WHERE tag = ANY (?) AND agent_count <= 0
            )
            DELETE FROM marketplace_tag_pair_counts WHERE agent_count <= 0 AND tag_a = ANY (?)
            """;

    /** Serializes writers of one registry (a rebalance can briefly hand a partition to two workers). */
    public void lockRegistry(UUID registryId) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(?::text, 0))").param(registryId.toString())
                .query((rs, n) -> 1).list();
    }

    /**
     * Inserts rows the registry did not have, stamped with this transaction's id. The caller holds the
     * registry's lock and read its rows after taking it, so none of these exists: a plain insert, which
     * costs PostgreSQL less than an upsert (no speculative insertion, no conflict check before it).
     */
    public void insertRows(UUID registryId, List<RowWrite> rows, int batchSize) {
        jdbcTemplate.batchUpdate(INSERT_ROW, rows, batchSize, (ps, row) -> bindRow(ps, registryId, row));
    }

    /**
     * Rewrites rows, stamped with this transaction's id; an equal content hash writes nothing, unless the
     * row has no proof status yet (written before proofs were checked).
     */
    public void upsertRows(UUID registryId, List<RowWrite> rows, int batchSize) {
        jdbcTemplate.batchUpdate(INSERT_ROW + """
                ON CONFLICT (registry_id, handle) DO UPDATE
                SET agent = EXCLUDED.agent, updated_at = EXCLUDED.updated_at, change_xid = EXCLUDED.change_xid,
                    sort_name = EXCLUDED.sort_name, search_text = EXCLUDED.search_text,
                    search_grams = EXCLUDED.search_grams, tags = EXCLUDED.tags, content_hash = EXCLUDED.content_hash,
                    proof_status = EXCLUDED.proof_status
                WHERE marketplace_catalog_rows.content_hash <> EXCLUDED.content_hash
                   OR marketplace_catalog_rows.proof_status IS DISTINCT FROM EXCLUDED.proof_status
                """, rows, batchSize, (ps, row) -> bindRow(ps, registryId, row));
    }

    private static final String INSERT_ROW = """
            INSERT INTO marketplace_catalog_rows
                (registry_id, handle, agent, updated_at, change_xid, sort_name, search_text, tags, content_hash,
                 proof_status, search_grams)
            VALUES (?, ?, ?::jsonb, now(), %s, ?, ?, ?, ?, ?, ?)
            """.formatted(CHANGE_STAMP);

    private static void bindRow(PreparedStatement ps, UUID registryId, RowWrite row) throws SQLException {
        ps.setObject(1, registryId);
        ps.setString(2, row.handle());
        ps.setString(3, row.agentJson());
        ps.setString(4, row.fields().sortName());
        ps.setString(5, row.fields().searchText());
        ps.setArray(6, textArray(ps, row.fields().tags()));
        ps.setBytes(7, row.fields().contentHash());
        ps.setString(8, row.fields().proofStatus());
        // null over the grams' budget: the row is then found by the recheck of rows without grams
        List<String> grams = row.fields().searchGrams();
        ps.setArray(9, grams == null ? null : textArray(ps, grams));
    }

    /**
     * Writes the sources of new and changed rows. An upsert even for a new row: a source is deleted with
     * its row, but one left behind (by hand: nothing references the row) must not fail the commit.
     */
    public void upsertSources(UUID registryId, List<RowWrite> rows, int batchSize) {
        jdbcTemplate.batchUpdate("""
                INSERT INTO marketplace_catalog_sources
                    (registry_id, handle, record, card_url, card, record_etag, card_etag, card_last_modified, card_error,
                     fetched_at, card_fresh_until)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?)
                ON CONFLICT (registry_id, handle) DO UPDATE
                SET record = EXCLUDED.record, card_url = EXCLUDED.card_url, card = EXCLUDED.card,
                    record_etag = EXCLUDED.record_etag, card_etag = EXCLUDED.card_etag,
                    card_last_modified = EXCLUDED.card_last_modified, card_error = EXCLUDED.card_error,
                    fetched_at = EXCLUDED.fetched_at, card_fresh_until = EXCLUDED.card_fresh_until
                """, rows, batchSize, (ps, row) -> {
            ps.setObject(1, registryId);
            ps.setString(2, row.handle());
            ps.setString(3, row.recordJson());
            ps.setString(4, row.cardUrl());
            ps.setString(5, row.cardJson());
            ps.setString(6, row.recordEtag());
            ps.setString(7, row.cardEtag());
            ps.setString(8, row.cardLastModified());
            ps.setString(9, row.cardError());
            ps.setTimestamp(10, timestamp(row.cardFreshUntil()));
        });
    }

    /**
     * Stores new freshness of cards that answered 304: the source row's timestamp only. Neither the
     * catalog row nor the generation moves, so readers and the changes feed see nothing; the card
     * itself is unchanged. Probes the primary key (registry_id, handle).
     */
    public void updateCardFreshness(UUID registryId, List<CardFreshness> updates, int batchSize) {
        jdbcTemplate.batchUpdate("""
                UPDATE marketplace_catalog_sources SET card_fresh_until = ?
                WHERE registry_id = ? AND handle = ?
                """, updates, batchSize, (ps, update) -> {
            ps.setTimestamp(1, timestamp(update.freshUntil()));
            ps.setObject(2, registryId);
            ps.setString(3, update.handle());
        });
    }

    /**
     * Deletes rows with their sources and leaves tombstones for the changes feed, stamped with this
     * transaction's id; returns the tags the removed rows had. Probes the primary keys
     * (registry_id, handle) of the three tables.
     */
    public List<List<String>> deleteRows(UUID registryId, Collection<String> handles) {
        if (handles.isEmpty()) {
            return List.of();
        }
        List<List<String>> removedTags = new ArrayList<>();
        jdbcTemplate.query(con -> {
            PreparedStatement ps = con.prepareStatement("""
                    DELETE FROM marketplace_catalog_rows WHERE registry_id = ? AND handle = ANY (?)
                    RETURNING tags
                    """);
            ps.setObject(1, registryId);
            ps.setArray(2, con.createArrayOf("text", handles.toArray()));
            return ps;
        }, rs -> {
            removedTags.add(textArray(rs.getArray(1)));
        });
        updateHandles("DELETE FROM marketplace_catalog_sources WHERE registry_id = ? AND handle = ANY (?)",
                registryId, handles);
        updateHandles("""
                INSERT INTO marketplace_catalog_tombstones (registry_id, handle, removed_at, change_xid)
                SELECT ?, h, now(), %s FROM unnest(?::text[]) AS h
                ON CONFLICT (registry_id, handle) DO UPDATE
                SET removed_at = EXCLUDED.removed_at, change_xid = EXCLUDED.change_xid
                """.formatted(CHANGE_STAMP), registryId, handles);
        return removedTags;
    }

    /** Deletes every row of a registry (disabled or removed), leaving tombstones; returns their tags. */
    public List<List<String>> deleteAllRows(UUID registryId) {
        List<String> handles = jdbc.sql("SELECT handle FROM marketplace_catalog_rows WHERE registry_id = ?")
                .param(registryId).query(String.class).list();
        return deleteRows(registryId, handles);
    }

    /** A handle that comes back is no longer a removal. */
    public void clearTombstones(UUID registryId, Collection<String> handles) {
        if (handles.isEmpty()) {
            return;
        }
        updateHandles("DELETE FROM marketplace_catalog_tombstones WHERE registry_id = ? AND handle = ANY (?)",
                registryId, handles);
    }

    /** Runs a statement whose parameters are a registry id and an array of its handles. */
    private void updateHandles(String sql, UUID registryId, Collection<String> handles) {
        jdbcTemplate.update(con -> {
            PreparedStatement ps = con.prepareStatement(sql);
            ps.setObject(1, registryId);
            ps.setArray(2, con.createArrayOf("text", handles.toArray()));
            return ps;
        });
    }

    /** A commit's non-zero tag and tag-pair deltas as parallel arrays, each sorted by its key. */
    private record CounterChanges(List<String> tags, List<Integer> tagDeltas, List<String> pairFirst,
                                  List<String> pairSecond, List<Integer> pairDeltas, boolean anyDecrease) {

        static CounterChanges of(TagCountDeltas deltas) {
            List<String> tags = new ArrayList<>();
            List<Integer> tagDeltas = new ArrayList<>();
            boolean anyDecrease = false;
            for (Map.Entry<String, Integer> e : new TreeMap<>(deltas.tags()).entrySet()) {
                if (e.getValue() != 0) {
                    tags.add(e.getKey());
                    tagDeltas.add(e.getValue());
                    anyDecrease |= e.getValue() < 0;
                }
            }
            List<Map.Entry<TagCountDeltas.Pair, Integer>> pairs = deltas.pairs().entrySet().stream()
                    .filter(e -> e.getValue() != 0)
                    .sorted(Comparator.comparing((Map.Entry<TagCountDeltas.Pair, Integer> e) -> e.getKey().a())
                            .thenComparing(e -> e.getKey().b()))
                    .toList();
            List<String> first = new ArrayList<>(pairs.size());
            List<String> second = new ArrayList<>(pairs.size());
            List<Integer> pairDeltas = new ArrayList<>(pairs.size());
            for (Map.Entry<TagCountDeltas.Pair, Integer> e : pairs) {
                first.add(e.getKey().a());
                second.add(e.getKey().b());
                pairDeltas.add(e.getValue());
                anyDecrease |= e.getValue() < 0;
            }
            return new CounterChanges(tags, tagDeltas, first, second, pairDeltas, anyDecrease);
        }
    }

    public int purgeTombstones(Instant removedBefore) {
        return jdbc.sql("DELETE FROM marketplace_catalog_tombstones WHERE removed_at < ?") // catalog_tombstones_by_removed_at
                .param(Timestamp.from(removedBefore)).update();
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static Array textArray(PreparedStatement ps, List<String> values) throws SQLException {
        return ps.getConnection().createArrayOf("text", values.toArray());
    }

    private static List<String> textArray(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }
}
