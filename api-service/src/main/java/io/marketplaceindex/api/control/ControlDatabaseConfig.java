package io.marketplaceindex.api.control;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.session.jdbc.config.annotation.SpringSessionDataSource;
import org.springframework.session.jdbc.config.annotation.SpringSessionTransactionManager;

import javax.sql.DataSource;

/**
 * The pool for the schema {@code marketplace_control} and its transaction manager. Both are beans so that
 * Spring Session JDBC takes them by its qualifiers: the sessions' tables are written through this pool,
 * like everything else of the schema ({@link ControlDatabase}).
 *
 * <p>Neither is a default candidate: an unqualified {@code DataSource} or transaction manager is still
 * the main, read-only one, and Boot's auto-configured main pool does not back off for them.
 */
@Configuration(proxyBeanMethods = false)
class ControlDatabaseConfig {

    @Bean(defaultCandidate = false)
    @SpringSessionDataSource
    HikariDataSource controlDataSource(DataSourceProperties main,
                                       @Value("${marketplace.control.pool-size:4}") int poolSize) {
        // the main pool's URL and login only: none of its read-only settings
        HikariDataSource pool = main.initializeDataSourceBuilder().type(HikariDataSource.class).build();
        pool.setPoolName("control");
        pool.setMaximumPoolSize(poolSize);
        pool.setMinimumIdle(0);
        // the same budget as the main pool's: a sign-in or an operator request fails fast when PostgreSQL is down
        pool.setConnectionTimeout(3000);
        return pool;
    }

    @Bean(defaultCandidate = false)
    @SpringSessionTransactionManager
    DataSourceTransactionManager controlTransactionManager(@SpringSessionDataSource DataSource control) {
        return new DataSourceTransactionManager(control);
    }
}
