package io.marketplaceindex.api.live;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.List;

@Repository
class LiveRegistryRepository {

    private final JdbcClient jdbc;

    LiveRegistryRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Every enabled registry, in a stable order (the live catalog's cache key is derived from it). */
    List<LiveRegistry> enabled() {
        return jdbc.sql("""
                        SELECT id, name, url, auth_token, send_token_to_cards
                        FROM marketplace_registries WHERE enabled ORDER BY id
                        """)
                .query((rs, n) -> new LiveRegistry(rs.getString("id"), rs.getString("name"), rs.getString("url"),
                        rs.getString("auth_token"), rs.getBoolean("send_token_to_cards")))
                .list();
    }

    /** Whether the index holds no row at all: the case where source=db falls back to the live path. */
    boolean indexIsEmpty() {
        return Boolean.TRUE.equals(jdbc.sql("SELECT NOT EXISTS (SELECT 1 FROM marketplace_catalog_rows)")
                .query(Boolean.class).single());
    }
}
