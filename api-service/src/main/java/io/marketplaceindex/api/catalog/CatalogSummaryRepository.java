package io.marketplaceindex.api.catalog;

import io.marketplaceindex.api.web.ReadBudget;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.util.List;

@Repository
class CatalogSummaryRepository {

    private final JdbcClient jdbc;
    private final ReadBudget reads;

    CatalogSummaryRepository(JdbcClient jdbc, ReadBudget reads) {
        this.jdbc = jdbc;
        this.reads = reads;
    }

    long generation() {
        return jdbc.sql("SELECT generation FROM marketplace_catalog_state WHERE id = 1").query(Long.class).single();
    }

    CatalogSummary load() {
        return reads.read(this::read);
    }

    private CatalogSummary read() {
        // Read in one snapshot so the generation matches what the rest describes.
        record State(long generation, Timestamp builtAt) {
        }
        State state = jdbc.sql("SELECT generation, built_at FROM marketplace_catalog_state WHERE id = 1")
                .query((rs, n) -> new State(rs.getLong(1), rs.getTimestamp(2))).single();
        List<CatalogSummary.Source> sources = jdbc.sql("""
                        SELECT id, name, url, last_sync_status, record_count, last_duration_ms, last_error
                        FROM marketplace_registries WHERE enabled ORDER BY name, id
                        """)
                .query((rs, n) -> new CatalogSummary.Source(rs.getString("id"), rs.getString("name"),
                        rs.getString("url"), "ok".equals(rs.getString("last_sync_status")), rs.getInt("record_count"),
                        (Long) rs.getObject("last_duration_ms"),
                        "ok".equals(rs.getString("last_sync_status")) ? null : rs.getString("last_error")))
                .list();
        // marketplace_tag_counts primary key, already in output order
        List<String> tags = jdbc.sql("SELECT tag FROM marketplace_tag_counts ORDER BY tag").query(String.class).list();
        return new CatalogSummary(state.generation(), sources.size(),
                state.builtAt() == null ? null : state.builtAt().toInstant(), sources, tags);
    }
}
