package io.marketplaceindex.worker.catalog;

import io.marketplaceindex.agent.AgentBudgets;
import io.marketplaceindex.agent.SearchGrams;
import io.marketplaceindex.testsupport.TestServices;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * V19 on an index written before it: every existing row gets the grams the worker would write for it
 * (the same Java function), over several batches, and the two indexes exist; a row over the grams'
 * budget keeps none and is still found by the API's condition.
 */
class SearchGramsMigrationIT extends MigrationTestSupport {

    private static final String US = "\u001f";

    @Test
    void existingRowsGetTheWorkersGramsAndRowsWithoutGramsAreStillFound() throws SQLException {
        url = TestServices.databaseAtVersion("v19_search_grams", "18");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) { // more than two batches
            texts.add("agent " + i + US + "finds things in " + (i % 7) + " ways" + US + "h-" + i + US + "acme");
        }
        texts.add("rocket 🚀 launch" + US + "cafe\u0301 crème" + US + "h-emoji" + US + "数据分析");
        StringBuilder overBudget = new StringBuilder("h-huge" + US);
        for (int cp = 0x4E00; overBudget.length() < AgentBudgets.SEARCH_GRAMS + 100; cp++) {
            overBudget.appendCodePoint(cp);
        }
        texts.add(overBudget.toString());
        UUID[] registries = {UUID.fromString("00000000-0000-0000-0000-000000000001"),
                UUID.fromString("00000000-0000-0000-0000-000000000002")};
        try (Connection c = connection()) {
            try (Statement st = c.createStatement()) {
                st.execute("""
                        INSERT INTO marketplace_registries (id, name, url)
                        VALUES ('00000000-0000-0000-0000-000000000001', 'One', 'https://one.example'),
                               ('00000000-0000-0000-0000-000000000002', 'Two', 'https://two.example')
                        """);
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO marketplace_catalog_rows (registry_id, handle, agent, change_xid, sort_name, search_text,
                                                          content_hash)
                    VALUES (?, ?, '{}', 1, ?, ?, '\\x00')
                    """)) {
                for (int i = 0; i < texts.size(); i++) {
                    ps.setObject(1, registries[i % 2]);
                    ps.setString(2, "h-" + i);
                    ps.setString(3, "h-" + i);
                    ps.setString(4, texts.get(i));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }

        Flyway.configure().dataSource(url, TestServices.postgresUser(), TestServices.postgresPassword()).target("19")
                .load().migrate();

        try (Connection c = connection(); Statement st = c.createStatement()) {
            int rows = 0;
            try (ResultSet rs = st.executeQuery("SELECT search_text, search_grams FROM marketplace_catalog_rows")) {
                while (rs.next()) {
                    rows++;
                    Array grams = rs.getArray(2);
                    List<String> expected = SearchGrams.of(rs.getString(1));
                    if (expected == null) {
                        assertThat(grams).as("over the budget").isNull();
                    } else {
                        assertThat(grams).as(rs.getString(1)).isNotNull();
                        assertThat(Arrays.asList((String[]) grams.getArray()))
                                .containsExactlyInAnyOrderElementsOf(expected);
                    }
                }
            }
            assertThat(rows).isEqualTo(texts.size());
            assertThat(column(st, """
                    SELECT indexname || ': ' || indexdef FROM pg_indexes
                    WHERE tablename = 'marketplace_catalog_rows' AND indexname LIKE 'catalog_rows_search_grams%'
                    ORDER BY indexname
                    """)).containsExactly(
                    "catalog_rows_search_grams: CREATE INDEX catalog_rows_search_grams ON public.marketplace_catalog_rows "
                            + "USING gin (search_grams)",
                    "catalog_rows_search_grams_missing: CREATE INDEX catalog_rows_search_grams_missing ON "
                            + "public.marketplace_catalog_rows USING btree (registry_id, handle) WHERE (search_grams IS NULL)");
            // the API's condition for a short needle (CatalogRepository.where): the emoji row through its
            // grams, the row over the budget through the rows without grams
            assertThat(matching(c, "🚀")).containsExactly("h-" + (texts.size() - 2));
            assertThat(matching(c, "\u4E01\u4E02")).containsExactly("h-" + (texts.size() - 1));
            assertThat(matching(c, "e\u0301")).containsExactly("h-" + (texts.size() - 2));
            // never across fields: "s" + US + "h" is in every text, "sh" in none
            assertThat(matching(c, "sh")).isEmpty();
            assertThat(matching(c, "s ")).hasSize(2_500);
        }
    }

    private static List<String> matching(Connection c, String needle) throws SQLException {
        List<String> handles = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT handle FROM marketplace_catalog_rows
                WHERE (search_grams @> ARRAY[?::text] OR search_grams IS NULL)
                  AND (search_grams IS NOT NULL OR strpos(search_text, ?) > 0)
                ORDER BY handle
                """)) {
            ps.setString(1, needle);
            ps.setString(2, needle);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    handles.add(rs.getString(1));
                }
            }
        }
        return handles;
    }
}
