package io.marketplaceindex.api.catalog;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs an aggregate over filtered rows (an exact total, tag counts) within
 * {@code marketplace.catalog.exact-count-timeout}. Such a query can touch every matching row, which
 * at millions of rows takes seconds; past the budget the caller answers with something cheaper,
 * flagged as inexact, instead of holding a connection.
 */
@Component
class CountBudget {

    private static final String QUERY_CANCELED = "57014";

    private final JdbcClient jdbc;
    private final TransactionTemplate readOnlyTx;
    private final Duration timeout;

    CountBudget(JdbcClient jdbc, TransactionTemplate readOnlyTx, CatalogProperties properties) {
        this.jdbc = jdbc;
        this.readOnlyTx = readOnlyTx;
        this.timeout = properties.exactCountTimeout();
    }

    /** @return the query's result, or empty when it ran out of time (any other failure is thrown) */
    <T> Optional<T> run(Supplier<T> query) {
        try {
            return Optional.ofNullable(readOnlyTx.execute(status -> {
                // local to this transaction: the pooled connection goes back without the limit
                jdbc.sql("SELECT set_config('statement_timeout', ?, true)")
                        .param(String.valueOf(timeout.toMillis())).query(String.class).single();
                return query.get();
            }));
        } catch (DataAccessException e) {
            if (isStatementTimeout(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static boolean isStatementTimeout(DataAccessException e) {
        Throwable cause = e.getMostSpecificCause();
        return cause instanceof SQLException && QUERY_CANCELED.equals(((SQLException) cause).getSQLState());
    }
}
