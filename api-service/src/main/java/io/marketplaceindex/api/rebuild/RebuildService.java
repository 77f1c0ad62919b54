package io.marketplaceindex.api.rebuild;

import io.marketplaceindex.api.command.CommandPublisher;
import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.logging.SyncLogContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Publishes one rebuild command per registry, all sharing one rebuild id. */
@Service
public class RebuildService {

    private final JdbcClient jdbc;
    private final CommandPublisher commands;
    private final Clock clock;
    private final JsonMapper json;

    public RebuildService(JdbcClient jdbc, CommandPublisher commands, Clock clock, JsonMapper json) {
        this.jdbc = jdbc;
        this.commands = commands;
        this.clock = clock;
        this.json = json;
    }

    public record Started(UUID rebuildId, Instant requestedAt, List<UUID> registryIds) {
    }

    /** One line per registry the workers have picked up for this rebuild. */
    public record Progress(String rebuildId, int started, long finished, long failed, List<Map<String, Object>> registries) {
    }

    public List<UUID> enabledRegistries() {
        return jdbc.sql("SELECT id FROM marketplace_registries WHERE enabled ORDER BY id").query(UUID.class).list();
    }

    public List<UUID> enabledAmong(List<UUID> ids) {
        return jdbc.sql("SELECT id FROM marketplace_registries WHERE enabled AND id = ANY (?) ORDER BY id")
                .param(ids.toArray(UUID[]::new)).query(UUID.class).list();
    }

    public Progress progress(UUID rebuildId) {
        List<Map<String, Object>> registries = jdbc.sql("""
                        SELECT p.registry_id AS "registryId", r.name, p.reason, p.status, p.started_at AS "startedAt",
                               p.finished_at AS "finishedAt", p.detail::text AS detail
                        FROM marketplace_rebuild_progress p
                        LEFT JOIN marketplace_registries r ON r.id = p.registry_id
                        WHERE p.rebuild_id = ?
                        ORDER BY r.name, p.registry_id
                        """) // primary key (rebuild_id, registry_id)
                .param(rebuildId).query().listOfRows().stream()
                .map(row -> {
                    Map<String, Object> line = new java.util.LinkedHashMap<>(row);
                    line.put("detail", json.readTree((String) row.get("detail")));
                    return line;
                })
                .toList();
        long finished = registries.stream().filter(r -> !"syncing".equals(r.get("status"))).count();
        long failed = registries.stream().filter(r -> "failed".equals(r.get("status"))).count();
        return new Progress(rebuildId.toString(), registries.size(), finished, failed, registries);
    }

    /** @param requestedBy who asked: the principal's name, or {@link RegistryCommand#CRON} */
    public Started request(List<UUID> registryIds, RebuildReason reason, boolean force, String requestedBy) {
        UUID rebuildId = UUID.randomUUID();
        Instant requestedAt = clock.instant();
        for (UUID registryId : registryIds) {
            // a failure to publish is logged with the registry and rebuild it was for
            try (SyncLogContext ignored = SyncLogContext.open(registryId, rebuildId)) {
                commands.publish(new RegistryCommand.Rebuild(rebuildId, registryId, requestedAt, reason, force,
                        requestedBy));
            }
        }
        return new Started(rebuildId, requestedAt, registryIds);
    }
}
