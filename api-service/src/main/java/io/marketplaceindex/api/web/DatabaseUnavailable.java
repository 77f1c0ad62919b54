package io.marketplaceindex.api.web;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.TransactionSystemException;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Failures of the database that say nothing about the request: it did not answer within the read
 * budget, or it cannot be reached (refused, down, restarting, no connection free in the pool). They
 * answer 503 with {@code Retry-After}, never 500: the same request will work once the database does.
 */
public final class DatabaseUnavailable {

    /** query_canceled: statement_timeout (or an operator's pg_cancel_backend). */
    static final String QUERY_CANCELED = "57014";
    /** admin_shutdown, crash_shutdown, cannot_connect_now (starting up or shutting down), too_many_connections. */
    private static final Set<String> SERVER_GOING_OR_FULL = Set.of("57P01", "57P02", "57P03", "53300");
    /** A slow statement may well pass on the next try; an unreachable server needs longer. */
    static final Duration RETRY_AFTER_TIMEOUT = Duration.ofSeconds(1);
    static final Duration RETRY_AFTER_UNREACHABLE = Duration.ofSeconds(5);

    private DatabaseUnavailable() {
    }

    static ApiException readBudgetExceeded(Duration budget) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "the database did not answer within the read budget ("
                + budget.toMillis() + " ms); retry later, or narrow the request", RETRY_AFTER_TIMEOUT);
    }

    /** @return the answer for a failure of the database anywhere in {@code e}'s causes, else empty */
    static Optional<ApiException> of(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            // the rollback after a lost connection fails too ("Connection is closed", no SQL state) and
            // takes the place of the failure that says what happened: look at that one
            if (t instanceof TransactionSystemException rollback && rollback.getApplicationException() != null) {
                return of(rollback.getApplicationException());
            }
            if (t instanceof RedisConnectionFailureException) {
                return Optional.empty(); // never the client's: catalog answers bypass Redis while it is down
            }
            if (t instanceof SQLTransientConnectionException || t instanceof DataAccessResourceFailureException) {
                return Optional.of(unreachable());
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (QUERY_CANCELED.equals(state)) {
                    return Optional.of(new ApiException(HttpStatus.SERVICE_UNAVAILABLE,
                            "the database did not answer in time; retry later", RETRY_AFTER_TIMEOUT));
                }
                // class 08: connection exceptions (refused, broken, lost)
                if (state.startsWith("08") || SERVER_GOING_OR_FULL.contains(state)) {
                    return Optional.of(unreachable());
                }
            }
        }
        return Optional.empty();
    }

    static boolean isStatementTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && QUERY_CANCELED.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static ApiException unreachable() {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "the database is unavailable; retry later",
                RETRY_AFTER_UNREACHABLE);
    }
}
