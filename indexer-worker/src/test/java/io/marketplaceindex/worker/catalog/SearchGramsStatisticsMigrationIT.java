package io.marketplaceindex.worker.catalog;

import io.marketplaceindex.testsupport.TestServices;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * V21: the planner's estimate of a rare gram. With more grams above it than the default statistics keep,
 * a rare gram was estimated as common as the least common gram kept (halved), which sent short needles
 * down the name order instead of the gram index; after V21 it is estimated close to its real count.
 */
class SearchGramsStatisticsMigrationIT extends MigrationTestSupport {

    private static final int ROWS = 30_000;
    /** Each held by about 2 % of the rows: more than the 1,000 elements the default target keeps. */
    private static final int COMMON_GRAMS = 1_500;
    private static final int GRAMS_PER_ROW = 30;
    /** Rows holding the rare gram: 0.1 %. */
    private static final int RARE_ROWS = ROWS / 1_000;

    @Test
    void aRareGramIsEstimatedNearItsRealCount() throws SQLException {
        url = TestServices.databaseAtVersion("v21_search_grams_statistics", "20");
        try (Connection c = connection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO marketplace_registries (id, name, url) VALUES "
                    + "('00000000-0000-0000-0000-000000000001', 'One', 'https://one.example')");
            st.execute("""
                    INSERT INTO marketplace_catalog_rows (registry_id, handle, agent, change_xid, sort_name,
                                                          search_text, content_hash, search_grams)
                    SELECT '00000000-0000-0000-0000-000000000001', 'h-' || i, '{}', 1, 'n' || i, 'text', '\\x00',
                           array(SELECT 'g' || ((i * 31 + k * 97) %% %d) FROM generate_series(0, %d) k)
                           || CASE WHEN i %% 1000 = 0 THEN ARRAY['qj'] ELSE ARRAY[]::text[] END
                    FROM generate_series(0, %d) i
                    """.formatted(COMMON_GRAMS, GRAMS_PER_ROW - 1, ROWS - 1));
            st.execute("ANALYZE marketplace_catalog_rows");
            assertThat(rareGramEstimate(st)).as("before V21").isGreaterThanOrEqualTo(4L * RARE_ROWS);
        }

        Flyway.configure().dataSource(url, TestServices.postgresUser(), TestServices.postgresPassword()).target("21")
                .load().migrate();

        try (Connection c = connection(); Statement st = c.createStatement()) {
            assertThat(rareGramEstimate(st)).as("after V21").isBetween(1L, 2L * RARE_ROWS);
        }
    }

    private static long rareGramEstimate(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("EXPLAIN (FORMAT JSON) SELECT 1 FROM marketplace_catalog_rows "
                + "WHERE search_grams @> ARRAY['qj']")) {
            rs.next();
            String plan = rs.getString(1);
            int at = plan.indexOf("\"Plan Rows\": ") + "\"Plan Rows\": ".length();
            return Long.parseLong(plan.substring(at, plan.indexOf(',', at)).trim());
        }
    }
}
