package io.marketplaceindex.api.web;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Bounded database time. Work runs in a read-only transaction whose {@code statement_timeout} is set
 * local to it, so the pooled connection goes back without the limit and each caller chooses its own:
 * <ul>
 * <li>{@link #read} for what a public request must answer (a page, the changes feed, one agent, meta):
 * within {@code marketplace.read.statement-timeout}, past which the request answers 503 with
 * {@code Retry-After} instead of holding a connection while the pool drains;</li>
 * <li>{@link #within} for work that has a cheaper answer when it runs out of time (an exact total, tag
 * counts, a background count): the caller gets nothing and falls back.</li>
 * </ul>
 * The timeout covers waiting for a lock too (a migration holding the table, say). Calls must not
 * nest: an inner call would join the outer transaction and change its limit.
 */
@Component
public class ReadBudget {

    private final JdbcClient jdbc;
    private final TransactionTemplate readOnlyTx;
    private final Duration readTimeout;

    /** @param readOnlyTx a read-only transaction of the default isolation */
    public ReadBudget(JdbcClient jdbc, TransactionTemplate readOnlyTx, ReadProperties properties) {
        this.jdbc = jdbc;
        this.readOnlyTx = readOnlyTx;
        this.readTimeout = properties.statementTimeout();
    }

    public Duration readTimeout() {
        return readTimeout;
    }

    /**
     * A server setting local to one read's transaction, set in the same statement as its time budget:
     * no round trip of its own.
     */
    public record Setting(String name, String value) {
    }

    /**
     * @throws ApiException 503 with {@code Retry-After} when a statement ran out of the read budget
     */
    public <T> T read(Supplier<T> query) {
        return read(readOnlyTx, query);
    }

    /** The same with settings of the caller's for this read's transaction. */
    public <T> T read(List<Setting> settings, Supplier<T> query) {
        return read(readOnlyTx, settings, query);
    }

    /** The same in a transaction of the caller's (the changes feed reads its page and watermark in one snapshot). */
    public <T> T read(TransactionTemplate transaction, Supplier<T> query) {
        return read(transaction, List.of(), query);
    }

    private <T> T read(TransactionTemplate transaction, List<Setting> settings, Supplier<T> query) {
        try {
            return run(transaction, readTimeout, settings, query);
        } catch (DataAccessException e) {
            if (DatabaseUnavailable.isStatementTimeout(e)) {
                throw DatabaseUnavailable.readBudgetExceeded(readTimeout);
            }
            throw e;
        }
    }

    /**
     * @return the result, or empty when a statement ran out of {@code timeout} (any other failure is
     *         thrown); a zero budget runs nothing
     */
    public <T> Optional<T> within(Duration timeout, Supplier<T> query) {
        if (timeout.isZero()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(run(readOnlyTx, timeout, List.of(), query));
        } catch (DataAccessException e) {
            if (DatabaseUnavailable.isStatementTimeout(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private <T> T run(TransactionTemplate transaction, Duration timeout, List<Setting> settings, Supplier<T> query) {
        List<Object> params = new ArrayList<>();
        params.add(timeout.isZero() ? "0" : String.valueOf(Math.max(1, timeout.toMillis())));
        StringBuilder sql = new StringBuilder("SELECT set_config('statement_timeout', ?, true)");
        for (Setting setting : settings) {
            sql.append(", set_config(?, ?, true)");
            params.add(setting.name());
            params.add(setting.value());
        }
        return transaction.execute(status -> {
            // is_local = true: SET LOCAL, undone at the end of this transaction
            jdbc.sql(sql.toString()).params(params).query().listOfRows();
            return query.get();
        });
    }
}
