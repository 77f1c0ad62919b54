package io.marketplaceindex.api.catalog;

import io.marketplaceindex.api.ApiTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read pool plans every statement for its values: a statement the driver has prepared at the
 * server (after 5 runs) never falls back to PostgreSQL's generic plan, which for a needle or a tag
 * filter is the wrong plan for most values (docs/search.md, "Plans").
 */
class CustomPlansIT extends ApiTestSupport {

    private static final String SEARCH = """
            SELECT count(*) FROM marketplace_catalog_rows
            WHERE search_text LIKE ? ESCAPE '\\' AND tags && ?::text[]""";

    @Autowired
    DataSource reads;

    @Test
    void aRepeatedStatementIsPlannedForItsValuesEveryTime() throws SQLException {
        try (Connection connection = reads.getConnection()) {
            try (PreparedStatement search = connection.prepareStatement(SEARCH)) {
                for (int i = 0; i < 12; i++) {
                    search.setString(1, "%needle" + i + "%");
                    search.setArray(2, connection.createArrayOf("text", new String[] {"tag" + i}));
                    try (ResultSet rows = search.executeQuery()) {
                        assertThat(rows.next()).isTrue();
                    }
                }
            }
            try (PreparedStatement plans = connection.prepareStatement("""
                    SELECT generic_plans, custom_plans FROM pg_prepared_statements
                    WHERE statement LIKE '%search_text LIKE $1%'""");
                 ResultSet rows = plans.executeQuery()) {
                assertThat(rows.next()).as("the driver prepared the statement at the server").isTrue();
                assertThat(rows.getLong("generic_plans")).isZero();
                assertThat(rows.getLong("custom_plans")).isGreaterThanOrEqualTo(7);
            }
        }
    }
}
