package io.marketplaceindex.worker.catalog;

import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.AfterEach;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** What a test of one migration on an index written before it needs: its own database, dropped after. */
abstract class MigrationTestSupport {

    /** The test's database ({@link TestServices#databaseAtVersion}), set by the test. */
    protected String url;

    @AfterEach
    void drop() {
        if (url != null) {
            TestServices.dropDatabase(url);
        }
    }

    protected Connection connection() throws SQLException {
        return DriverManager.getConnection(url, TestServices.postgresUser(), TestServices.postgresPassword());
    }

    /** The first column of every row the query returns, as text. */
    protected static List<String> column(Statement st, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
