package io.marketplaceindex.api.agent;

import io.marketplaceindex.api.catalog.ServedAgent;
import io.marketplaceindex.api.web.RawJson;
import io.marketplaceindex.api.web.ReadBudget;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

@Repository
class AgentDetailRepository {

    private final JdbcClient jdbc;
    private final ReadBudget reads;

    AgentDetailRepository(JdbcClient jdbc, ReadBudget reads) {
        this.jdbc = jdbc;
        this.reads = reads;
    }

    /** Three primary-key lookups in one statement, so the parts come from one snapshot. */
    Optional<AgentDetail> find(UUID registryId, String handle) {
        return reads.read(() -> jdbc.sql("""
                        SELECT (%s)::text AS agent, s.record, s.card,
                               r.updated_at, r.change_xid, s.fetched_at, s.card_error,
                               g.sync_status, g.last_success_at
                        FROM marketplace_catalog_rows r                       -- primary key (registry_id, handle)
                        JOIN marketplace_registries g ON g.id = r.registry_id -- primary key
                        LEFT JOIN marketplace_catalog_sources s               -- primary key (registry_id, handle)
                               ON s.registry_id = r.registry_id AND s.handle = r.handle
                        WHERE r.registry_id = ? AND r.handle = ?
                        """.formatted(ServedAgent.jsonb("r.")))
                .params(registryId, handle)
                .query((rs, n) -> new AgentDetail(RawJson.of(rs.getString("agent")), RawJson.of(rs.getString("record")),
                        RawJson.of(rs.getString("card")),
                        new AgentDetail.Sync(instant(rs.getObject("updated_at", OffsetDateTime.class)),
                                rs.getLong("change_xid"), instant(rs.getObject("fetched_at", OffsetDateTime.class)),
                                rs.getString("card_error"), rs.getString("sync_status"),
                                instant(rs.getObject("last_success_at", OffsetDateTime.class)))))
                .optional());
    }

    boolean registryExists(UUID registryId) {
        return reads.read(() -> jdbc.sql("SELECT EXISTS (SELECT 1 FROM marketplace_registries WHERE id = ?)") // primary key
                .param(registryId).query(Boolean.class).single());
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
