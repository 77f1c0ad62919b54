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
    private final int maxTags;

    CatalogSummaryRepository(JdbcClient jdbc, ReadBudget reads, CatalogProperties properties) {
        this.jdbc = jdbc;
        this.reads = reads;
        this.maxTags = properties.metaTagsMax();
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
                        SELECT id, name, url, last_sync_status, record_count, last_duration_ms, last_error_public
                        FROM marketplace_registries WHERE enabled ORDER BY name, id
                        """)
                .query((rs, n) -> new CatalogSummary.Source(rs.getString("id"), rs.getString("name"),
                        rs.getString("url"), "ok".equals(rs.getString("last_sync_status")), rs.getInt("record_count"),
                        (Long) rs.getObject("last_duration_ms"),
                        // the public text: last_error names hosts and addresses, for operators only
                        "ok".equals(rs.getString("last_sync_status")) ? null : rs.getString("last_error_public")))
                .list();
        // Every page carries these, so they are the most frequent ones only: one registry with thousands of
        // distinct tags must not inflate every answer. One more than the cap is read to tell that some
        // were left out (rank > cap), then dropped. The sort by frequency reads all of
        // marketplace_tag_counts (one row per distinct tag), once per catalog generation.
        record Ranked(String tag, long rank) {
        }
        List<Ranked> ranked = jdbc.sql("""
                        SELECT tag, rank
                        FROM (SELECT tag, row_number() OVER (ORDER BY agent_count DESC, tag) AS rank
                              FROM marketplace_tag_counts
                              ORDER BY agent_count DESC, tag
                              LIMIT ?) AS top
                        ORDER BY tag
                        """)
                .param(maxTags + 1).query((rs, n) -> new Ranked(rs.getString(1), rs.getLong(2))).list();
        List<String> tags = ranked.stream().filter(r -> r.rank() <= maxTags).map(Ranked::tag).toList();
        return new CatalogSummary(state.generation(), sources.size(),
                state.builtAt() == null ? null : state.builtAt().toInstant(), sources, tags, ranked.size() > maxTags);
    }
}
