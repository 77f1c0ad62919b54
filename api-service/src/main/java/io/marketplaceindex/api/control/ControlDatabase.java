package io.marketplaceindex.api.control;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The api-service's only writable connections: a small pool of its own for the schema
 * {@code marketplace_control} (rebuild requests, schedule ticks), which the service's login alone may
 * write. The main pool stays read-only at the server; the catalog tables stay refused to this login by
 * privilege on both pools (V11, V15).
 *
 * <p>Not a {@code DataSource} bean on purpose: one would make Boot's auto-configured main pool back off.
 */
@Component
public class ControlDatabase implements DisposableBean {

    private final HikariDataSource pool;
    private final JdbcClient jdbc;

    public ControlDatabase(DataSourceProperties main, @Value("${marketplace.control.pool-size:2}") int poolSize) {
        pool = main.initializeDataSourceBuilder().type(HikariDataSource.class).build();
        pool.setPoolName("control");
        pool.setMaximumPoolSize(poolSize);
        pool.setMinimumIdle(0);
        // the same budget as the main pool's: an operator request fails fast when PostgreSQL is down
        pool.setConnectionTimeout(3000);
        jdbc = JdbcClient.create(pool);
    }

    public JdbcClient jdbc() {
        return jdbc;
    }

    @Override
    public void destroy() {
        pool.close();
    }
}
