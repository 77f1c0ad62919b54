package io.marketplaceindex.api.changes;

import io.marketplaceindex.testsupport.TestServices;
import org.awaitility.Awaitility;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A writer transaction on the test database, stamping changes the way the worker's CatalogStore
 * does: {@link #STAMP} is the transaction's own id. It stays open until {@link #commit}.
 */
final class FeedWriter implements AutoCloseable {

    static final String STAMP = "pg_current_xact_id()::text::bigint";

    private final Connection connection;

    FeedWriter(String jdbcUrl) {
        try {
            connection = DriverManager.getConnection(jdbcUrl, TestServices.postgresUser(), TestServices.postgresPassword());
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs one statement in this transaction; use {@link #STAMP} for the change stamp. */
    FeedWriter run(String statement, Object... params) {
        try (PreparedStatement ps = connection.prepareStatement(statement)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.execute();
            return this;
        } catch (SQLException e) {
            throw new IllegalStateException(statement + ": " + e.getMessage(), e);
        }
    }

    /** This transaction's id: the stamp of what it writes. */
    long stamp() {
        return query(connection, "SELECT " + STAMP);
    }

    void commit() {
        try {
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until the feed's watermark (as the API reports it) has passed a committed stamp: any write
     * transaction of the database still open holds it back, so a test that expects its commit in the
     * feed waits for it rather than assume nothing else is writing.
     */
    static void awaitServed(LongSupplier watermark, long stamp) {
        Awaitility.await("the watermark to pass " + stamp).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50)).until(() -> watermark.getAsLong() > stamp);
    }

    private static long query(Connection c, String sql) {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
