package io.marketplaceindex.api.rebuild;

import io.marketplaceindex.api.command.CommandPublisher;
import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.events.RegistryCommand;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Publishes one rebuild command per registry, all sharing one rebuild id. */
@Service
public class RebuildService {

    private final JdbcClient jdbc;
    private final CommandPublisher commands;
    private final Clock clock;

    public RebuildService(JdbcClient jdbc, CommandPublisher commands, Clock clock) {
        this.jdbc = jdbc;
        this.commands = commands;
        this.clock = clock;
    }

    public record Started(UUID rebuildId, Instant requestedAt, List<UUID> registryIds) {
    }

    public List<UUID> enabledRegistries() {
        return jdbc.sql("SELECT id FROM marketplace_registries WHERE enabled ORDER BY id").query(UUID.class).list();
    }

    public List<UUID> enabledAmong(List<UUID> ids) {
        return jdbc.sql("SELECT id FROM marketplace_registries WHERE enabled AND id = ANY (?) ORDER BY id")
                .param(ids.toArray(UUID[]::new)).query(UUID.class).list();
    }

    public Started request(List<UUID> registryIds, RebuildReason reason, boolean force) {
        UUID rebuildId = UUID.randomUUID();
        Instant requestedAt = clock.instant();
        for (UUID registryId : registryIds) {
            commands.publish(new RegistryCommand.Rebuild(rebuildId, registryId, requestedAt, reason, force));
        }
        return new Started(rebuildId, requestedAt, registryIds);
    }
}
