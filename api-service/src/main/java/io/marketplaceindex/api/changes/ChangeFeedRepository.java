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
 * The changes feed: current rows (upserts) and tombstones (removals) merged in (generation,
 * registry_id, handle) order. Each side walks its own index in that order
 * (catalog_rows_by_generation, catalog_tombstones_by_generation) and stops after a page.
 */
@Repository
class ChangeFeedRepository {

    private final JdbcClient jdbc;
    private final TransactionTemplate snapshotTx;

    ChangeFeedRepository(JdbcClient jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        // the page and the generation it is complete up to must come from one snapshot
        this.snapshotTx = new TransactionTemplate(transactions);
        this.snapshotTx.setReadOnly(true);
        this.snapshotTx.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
    }

    record Row(String change, long generation, UUID registryId, String handle, OffsetDateTime at, String agentJson) {
    }

    /** @param rows up to limit + 1 changes after the cursor, so that the caller can tell whether more wait */
    record Snapshot(long generation, List<Row> rows) {
    }

    Snapshot read(ChangeQuery query) {
        List<String> conditions = new ArrayList<>();
        List<Object> keyset = new ArrayList<>();
        ChangeCursor cursor = query.cursor();
        if (cursor != null && cursor.wholeGeneration()) {
            conditions.add("generation > ?");
            keyset.add(cursor.generation());
        } else if (cursor != null) {
            conditions.add("(generation, registry_id, handle) > (?, ?, ?)");
            keyset.add(cursor.generation());
            keyset.add(cursor.registryId());
            keyset.add(cursor.handle());
        }
        String rowConditions = where(conditions, query.updatedSince() != null ? "updated_at >= ?" : null);
        String tombstoneConditions = where(conditions, query.updatedSince() != null ? "removed_at >= ?" : null);
        List<Object> sideParams = new ArrayList<>(keyset);
        if (query.updatedSince() != null) {
            // updated_at has no index: with updatedSince alone the scan of catalog_rows_by_generation
            // filters its way to the first recent row; following nextCursor afterwards is a pure keyset seek
            sideParams.add(OffsetDateTime.ofInstant(query.updatedSince(), ZoneOffset.UTC));
        }
        int fetch = query.limit() + 1;
        List<Object> params = new ArrayList<>(sideParams);
        params.add(fetch);
        params.addAll(sideParams);
        params.add(fetch);
        params.add(fetch);
        String sql = """
                SELECT change, generation, registry_id, handle, at, agent
                FROM ((SELECT 'upsert' AS change, generation, registry_id, handle, updated_at AS at, agent::text AS agent
                       FROM marketplace_catalog_rows
                       WHERE %s
                       ORDER BY generation, registry_id, handle   -- catalog_rows_by_generation
                       LIMIT ?)
                      UNION ALL
                      (SELECT 'removal', generation, registry_id, handle, removed_at, NULL
                       FROM marketplace_catalog_tombstones
                       WHERE %s
                       ORDER BY generation, registry_id, handle   -- catalog_tombstones_by_generation
                       LIMIT ?)) AS c
                ORDER BY generation, registry_id, handle
                LIMIT ?
                """.formatted(rowConditions, tombstoneConditions);
        return snapshotTx.execute(status -> {
            long generation = jdbc.sql("SELECT generation FROM marketplace_catalog_state WHERE id = 1")
                    .query(Long.class).single();
            List<Row> rows = jdbc.sql(sql).params(params)
                    .query((rs, n) -> new Row(rs.getString("change"), rs.getLong("generation"),
                            rs.getObject("registry_id", UUID.class), rs.getString("handle"),
                            rs.getObject("at", OffsetDateTime.class), rs.getString("agent")))
                    .list();
            return new Snapshot(generation, rows);
        });
    }

    private static String where(List<String> keyset, String since) {
        List<String> all = new ArrayList<>(keyset);
        if (since != null) {
            all.add(since);
        }
        return all.isEmpty() ? "true" : String.join(" AND ", all);
    }
}
