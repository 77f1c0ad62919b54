package io.marketplaceindex.api.control;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.session.jdbc.config.annotation.SpringSessionDataSource;
import org.springframework.session.jdbc.config.annotation.SpringSessionTransactionManager;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;

/**
 * The api-service's only writable connections: a small pool of its own for the schema
 * {@code marketplace_control}, which the service's login alone may write. Every write of the service
 * goes through it: accounts, API tokens (their last use included), sessions (Spring Session JDBC, given
 * this pool by {@link ControlDatabaseConfig}), rebuild requests and schedule ticks. The main pool is
 * read-only at the server; the catalog tables are refused to this login by privilege on both pools
 * (V11, V13, V15).
 *
 * <p>Reads that stand alone go through the main pool (the larger one: a bearer token is looked up on
 * every request); a transaction that writes runs wholly here, its reads included.
 */
@Component
public class ControlDatabase {

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;

    ControlDatabase(@SpringSessionDataSource DataSource pool,
                    @SpringSessionTransactionManager PlatformTransactionManager transactions) {
        this.jdbc = JdbcClient.create(pool);
        this.transaction = new TransactionTemplate(transactions);
    }

    public JdbcClient jdbc() {
        return jdbc;
    }

    /** Runs the statements of {@link #jdbc()} in the callback as one transaction of this pool. */
    public <T> T inTransaction(TransactionCallback<T> work) {
        return transaction.execute(work);
    }
}
