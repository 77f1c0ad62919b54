package io.marketplaceindex.worker.catalog;

import io.marketplaceindex.agent.AgentIndexFields;
import io.marketplaceindex.testsupport.TestServices;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * V23: marketplace_catalog_name_order holds exactly the catalog's keys, whoever writes the rows: filled
 * from the rows written before it, then kept by its trigger through the worker's inserts, upserts (with
 * and without a new name) and deletes, a registry's removal and a TRUNCATE. V24 and V26: the keys of its
 * handle order are read from its own index alone.
 */
class NameOrderIT extends MigrationTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final UUID ONE = UUID.fromString("00000000-0000-0000-0000-000000000001");
    private static final UUID TWO = UUID.fromString("00000000-0000-0000-0000-000000000002");
    private static final String ROW_KEYS = "SELECT sort_name || '|' || handle || '|' || registry_id FROM %s ORDER BY 1";
    /** An unfiltered page in handle order, as CatalogRepository.keys reads it. */
    private static final String HANDLE_PAGE = """
            SELECT handle || '|' || registry_id FROM marketplace_catalog_name_order
            ORDER BY handle, registry_id LIMIT 50 OFFSET 0
            """;

    @Test
    void theNameOrderHoldsTheRowsKeysThroughEveryWrite() throws SQLException {
        url = TestServices.databaseAtVersion("v23_name_order", "22");
        try (Connection c = connection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO marketplace_registries (id, name, url) VALUES ('%s', 'One', 'https://one.example'),"
                    .formatted(ONE) + " ('%s', 'Two', 'https://two.example')".formatted(TWO));
            st.execute("""
                    INSERT INTO marketplace_catalog_rows (registry_id, handle, agent, change_xid, sort_name,
                                                          search_text, content_hash)
                    SELECT '%s', 'old-' || i, '{}', 1, 'old ' || i, 'text', '\\x00' FROM generate_series(1, 3) i
                    """.formatted(ONE));
        }
        Flyway.configure().dataSource(url, TestServices.postgresUser(), TestServices.postgresPassword()).target("23")
                .load().migrate();
        assertKeysAgree("rows written before V23");
        assertThat(nameOrder()).hasSize(3);

        DriverManagerDataSource dataSource = new DriverManagerDataSource(url, TestServices.postgresUser(),
                TestServices.postgresPassword());
        CatalogStore store = new CatalogStore(new JdbcTemplate(dataSource), JdbcClient.create(dataSource),
                new SimpleMeterRegistry());
        store.insertRows(ONE, List.of(row("alpha", "Alpha", "first"), row("beta", "Beta", "first")), 10);
        store.insertRows(TWO, List.of(row("alpha", "Alpha", "first")), 10);
        assertKeysAgree("inserted");
        assertThat(nameOrder()).hasSize(6);

        store.upsertRows(ONE, List.of(row("alpha", "Alpha", "second")), 10);
        assertKeysAgree("the same name, another description");
        store.upsertRows(ONE, List.of(row("beta", "Zeta", "second"), row("gamma", "Gamma", "first")), 10);
        assertKeysAgree("renamed, and a new row through the upsert");
        assertThat(nameOrder()).contains("zeta|beta|" + ONE).doesNotContain("beta|beta|" + ONE).hasSize(7);

        store.deleteRows(ONE, List.of("gamma", "old-2"));
        assertKeysAgree("deleted");
        assertThat(nameOrder()).hasSize(5);

        try (Connection c = connection(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM marketplace_registries WHERE id = '%s'".formatted(TWO));
        }
        assertKeysAgree("a registry removed with its rows");
        assertThat(nameOrder()).hasSize(4);

        Flyway.configure().dataSource(url, TestServices.postgresUser(), TestServices.postgresPassword()).target("26")
                .load().migrate();
        try (Connection c = connection(); Statement st = c.createStatement()) {
            // V24, V26: handle order's keys from the narrow table alone (a table this small is otherwise sorted)
            st.execute("SET enable_seqscan = off");
            st.execute("SET enable_sort = off");
            assertThat(String.join("\n", column(st, "EXPLAIN " + HANDLE_PAGE)))
                    .contains("Index Only Scan using catalog_name_order_by_handle");
            assertThat(column(st, HANDLE_PAGE)).as("handle order")
                    .containsExactly("alpha|" + ONE, "beta|" + ONE, "old-1|" + ONE, "old-3|" + ONE);
        }

        try (Connection c = connection(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE marketplace_catalog_rows");
        }
        assertThat(nameOrder()).as("after TRUNCATE").isEmpty();
    }

    private static RowWrite row(String handle, String name, String description) {
        ObjectNode agent = JSON.createObjectNode().put("handle", handle).put("name", name).put("description", description);
        return new RowWrite(handle, JSON.writeValueAsString(agent), AgentIndexFields.of(agent), "{}", null, null, null,
                null, null, null, null);
    }

    private List<String> nameOrder() throws SQLException {
        try (Connection c = connection(); Statement st = c.createStatement()) {
            return column(st, ROW_KEYS.formatted("marketplace_catalog_name_order"));
        }
    }

    private void assertKeysAgree(String after) throws SQLException {
        try (Connection c = connection(); Statement st = c.createStatement()) {
            assertThat(column(st, ROW_KEYS.formatted("marketplace_catalog_name_order"))).as(after)
                    .isEqualTo(column(st, ROW_KEYS.formatted("marketplace_catalog_rows")));
        }
    }
}
