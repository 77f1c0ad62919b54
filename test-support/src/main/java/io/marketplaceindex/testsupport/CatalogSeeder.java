package io.marketplaceindex.testsupport;

import io.marketplaceindex.agent.AgentIndexFields;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes registries and normalized agents straight into an index database, with the same
 * extracted columns and counters the worker maintains — for read-side tests and benchmarks that
 * need a known catalog without running registries.
 */
public final class CatalogSeeder implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Connection connection;

    public CatalogSeeder(String jdbcUrl) {
        try {
            this.connection = DriverManager.getConnection(jdbcUrl, TestServices.postgresUser(),
                    TestServices.postgresPassword());
            this.connection.setAutoCommit(false);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public UUID registry(String name, String url) {
        UUID id = UUID.randomUUID();
        try (PreparedStatement ps = connection.prepareStatement("""
                INSERT INTO marketplace_registries (id, name, url, sync_status, last_sync_status, last_success_at,
                                                    last_finished_at, last_duration_ms)
                VALUES (?, ?, ?, 'ok', 'ok', now(), now(), 12)
                """)) {
            ps.setObject(1, id);
            ps.setString(2, name);
            ps.setString(3, url);
            ps.executeUpdate();
            connection.commit();
            return id;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What one seeded commit produced.
     *
     * @param generation the catalog generation it took
     * @param changeXid  the change stamp of its rows (its transaction id)
     */
    public record Commit(long generation, long changeXid) {
    }

    /**
     * Inserts agents (already normalized), stamped with the transaction's id, and bumps the
     * generation last, as one worker commit would.
     */
    public Commit agents(UUID registryId, List<ObjectNode> agents) {
        try {
            long changeXid = queryLong("SELECT pg_current_xact_id()::text::bigint");
            insertRows(registryId, agents, changeXid);
            recountTags();
            recountRegistry(registryId);
            long generation = queryLong("UPDATE marketplace_catalog_state SET generation = generation + 1, "
                    + "built_at = now() WHERE id = 1 RETURNING generation");
            connection.commit();
            return new Commit(generation, changeXid);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void insertRows(UUID registryId, List<ObjectNode> agents, long changeXid) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("""
                INSERT INTO marketplace_catalog_rows
                    (registry_id, handle, agent, change_xid, sort_name, search_text, tags, content_hash, proof_status,
                     search_grams)
                VALUES (?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)
                """)) {
            int n = 0;
            for (ObjectNode agent : agents) {
                AgentIndexFields fields = AgentIndexFields.of(agent);
                ps.setObject(1, registryId);
                ps.setString(2, agent.get("handle").stringValue());
                ps.setString(3, JSON.writeValueAsString(agent));
                ps.setLong(4, changeXid);
                ps.setString(5, fields.sortName());
                ps.setString(6, fields.searchText());
                ps.setArray(7, connection.createArrayOf("text", fields.tags().toArray()));
                ps.setBytes(8, fields.contentHash());
                // an agent given a proof verdict (RecordProof.writeTo) is stored as the worker stores it
                ps.setString(9, fields.proofStatus());
                List<String> grams = fields.searchGrams();
                ps.setArray(10, grams == null ? null : connection.createArrayOf("text", grams.toArray()));
                ps.addBatch();
                if (++n % 1000 == 0) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
        }
    }

    /** The counters the worker keeps in step with the rows, recomputed from all rows. */
    private void recountTags() throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("TRUNCATE marketplace_tag_counts, marketplace_tag_pair_counts");
            st.execute("""
                    INSERT INTO marketplace_tag_counts (tag, agent_count)
                    SELECT t, count(*) FROM marketplace_catalog_rows, unnest(tags) AS t GROUP BY t
                    """);
            st.execute("""
                    INSERT INTO marketplace_tag_pair_counts (tag_a, tag_b, agent_count)
                    SELECT a, b, count(*)
                    FROM marketplace_catalog_rows r, unnest(r.tags) AS a, unnest(r.tags) AS b
                    WHERE a < b AND cardinality(r.tags) <= 32
                    GROUP BY a, b
                    """);
        }
    }

    private void recountRegistry(UUID registryId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("""
                UPDATE marketplace_registries
                SET record_count = (SELECT count(*) FROM marketplace_catalog_rows WHERE registry_id = ?)
                WHERE id = ?
                """)) {
            ps.setObject(1, registryId);
            ps.setObject(2, registryId);
            ps.executeUpdate();
        }
    }

    /** The single number the statement answers with. */
    private long queryLong(String sql) throws SQLException {
        try (Statement st = connection.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Empties the index (registries, rows, counters) and resets nothing else. */
    public void clear() {
        try (Statement st = connection.createStatement()) {
            st.execute("TRUNCATE marketplace_catalog_sources, marketplace_catalog_rows, marketplace_catalog_tombstones, "
                    + "marketplace_tag_counts, marketplace_tag_pair_counts, marketplace_rebuild_progress, marketplace_command_results, "
                    + "marketplace_registries CASCADE");
            st.execute("UPDATE marketplace_catalog_state SET generation = generation + 1");
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonMapper json() {
        return JSON;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
