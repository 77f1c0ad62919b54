package io.marketplaceindex.api.rebuild;

import io.marketplaceindex.api.command.CommandPublisher;
import io.marketplaceindex.api.control.ControlDatabase;
import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.logging.SyncLogContext;
import io.marketplaceindex.rebuild.ProgressDetail;
import io.marketplaceindex.rebuild.ProgressStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Publishes one rebuild command per registry, all sharing one rebuild id, after recording each
 * registry as queued; reads the rebuild's progress, one line per registry.
 */
@Service
public class RebuildService {

    private final JdbcClient jdbc;
    private final ControlDatabase control;
    private final CommandPublisher commands;
    private final Clock clock;
    private final JsonMapper json;

    public RebuildService(JdbcClient jdbc, ControlDatabase control, CommandPublisher commands, Clock clock,
                          JsonMapper json) {
        this.jdbc = jdbc;
        this.control = control;
        this.commands = commands;
        this.clock = clock;
        this.json = json;
    }

    /** @param accepted the progress at the moment of acceptance, before any worker could pick a registry up */
    public record Started(UUID rebuildId, Instant requestedAt, List<UUID> registryIds, Progress accepted) {
    }

    /**
     * One line per registry of the rebuild. {@code started} counts the lines a worker picked up,
     * {@code finished} those with an outcome; the rebuild has ended when {@code total > 0} and
     * {@code finished == total}.
     */
    public record Progress(String rebuildId, int total, long queued, long started, long finished, long failed,
                           List<ProgressLine> registries) {

        static Progress of(UUID rebuildId, List<ProgressLine> lines) {
            long queued = count(lines, ProgressStatus.QUEUED);
            long finished = lines.stream().filter(line -> line.status().finished()).count();
            return new Progress(rebuildId.toString(), lines.size(), queued, lines.size() - queued, finished,
                    count(lines, ProgressStatus.FAILED), lines);
        }

        private static long count(List<ProgressLine> lines, ProgressStatus status) {
            return lines.stream().filter(line -> line.status() == status).count();
        }

        public boolean ended() {
            return total > 0 && finished == total;
        }
    }

    public List<UUID> enabledRegistries() {
        return jdbc.sql("SELECT id FROM marketplace_registries WHERE enabled ORDER BY id").query(UUID.class).list();
    }

    public List<UUID> enabledAmong(List<UUID> ids) {
        return jdbc.sql("SELECT id FROM marketplace_registries WHERE enabled AND id = ANY (?) ORDER BY id")
                .param(ids.toArray(UUID[]::new)).query(UUID.class).list();
    }

    /**
     * Registries whose records recommend re-reading them sooner than the scheduled rebuild does: enabled, not
     * syncing, and neither synced nor requested within their recommended TTL (which the worker keeps,
     * clamped to its minimum). Registries are few; each one's last request is the first entry of
     * rebuild_requests_registry.
     */
    public List<UUID> dueByTtl(Instant now) {
        return jdbc.sql("""
                        SELECT r.id FROM marketplace_registries r
                        WHERE r.enabled AND r.recommended_ttl_seconds IS NOT NULL
                          AND r.sync_status IS DISTINCT FROM 'syncing'
                          AND greatest(coalesce(r.last_attempt_at, '-infinity'),
                                       coalesce((SELECT max(q.requested_at) FROM marketplace_control.rebuild_requests q
                                                 WHERE q.registry_id = r.id), '-infinity'))
                              <= ?::timestamptz - make_interval(secs => r.recommended_ttl_seconds)
                        ORDER BY r.id
                        """)
                .param(Timestamp.from(now)).query(UUID.class).list();
    }

    /** Each part reads by a primary key (rebuild_id, registry_id); a worker's line replaces the queued one. */
    private static final String PROGRESS = """
            SELECT p.registry_id AS "registryId", r.name, p.reason, p.status, q.requested_at AS "requestedAt",
                   p.started_at AS "startedAt", p.finished_at AS "finishedAt", p.detail::text AS detail
            FROM marketplace_rebuild_progress p
            LEFT JOIN marketplace_control.rebuild_requests q ON q.rebuild_id = p.rebuild_id AND q.registry_id = p.registry_id
            LEFT JOIN marketplace_registries r ON r.id = p.registry_id
            WHERE p.rebuild_id = :rebuild
            UNION ALL
            SELECT q.registry_id, r.name, q.reason, 'queued', q.requested_at, NULL, NULL, '{}'  -- ProgressStatus.QUEUED
            FROM marketplace_control.rebuild_requests q
            LEFT JOIN marketplace_registries r ON r.id = q.registry_id
            WHERE q.rebuild_id = :rebuild
              AND NOT EXISTS (SELECT 1 FROM marketplace_rebuild_progress p
                              WHERE p.rebuild_id = q.rebuild_id AND p.registry_id = q.registry_id)
            ORDER BY 2, 1
            """;

    public Progress progress(UUID rebuildId) {
        List<ProgressLine> lines = jdbc.sql(PROGRESS).param("rebuild", rebuildId)
                .query((rs, n) -> new ProgressLine(rs.getObject("registryId", UUID.class), rs.getString("name"),
                        rs.getString("reason"), ProgressStatus.of(rs.getString("status")),
                        instant(rs.getTimestamp("requestedAt")), instant(rs.getTimestamp("startedAt")),
                        instant(rs.getTimestamp("finishedAt")),
                        json.readValue(rs.getString("detail"), ProgressDetail.class)))
                .list();
        return Progress.of(rebuildId, lines);
    }

    private static Instant instant(Timestamp at) {
        return at == null ? null : at.toInstant();
    }

    /** Whether the rebuild was ever requested or touched by a worker. */
    public boolean exists(UUID rebuildId) {
        return jdbc.sql("""
                        SELECT EXISTS (SELECT 1 FROM marketplace_control.rebuild_requests WHERE rebuild_id = ?)
                            OR EXISTS (SELECT 1 FROM marketplace_rebuild_progress WHERE rebuild_id = ?)
                        """) // both by the leading column of their primary keys
                .params(rebuildId, rebuildId).query(Boolean.class).single();
    }

    /** @param requestedBy who asked (the caller's {@code requestedBy()}), or {@link RegistryCommand#CRON} */
    public Started request(List<UUID> registryIds, RebuildReason reason, boolean force, String requestedBy) {
        UUID rebuildId = UUID.randomUUID();
        Instant requestedAt = clock.instant();
        // Queued before published: a worker's line can only replace it, never precede it.
        control.jdbc().sql("""
                        INSERT INTO marketplace_control.rebuild_requests (rebuild_id, registry_id, reason, requested_at)
                        SELECT ?, registry_id, ?, ? FROM unnest(?::uuid[]) AS registry_id
                        """)
                .params(rebuildId, reasonName(reason), Timestamp.from(requestedAt), registryIds.toArray(UUID[]::new))
                .update();
        // read before publishing: afterwards a fast worker may already have moved a registry on
        Progress accepted = progress(rebuildId);
        int published = 0;
        try {
            for (UUID registryId : registryIds) {
                // a failure to publish is logged with the registry and rebuild it was for
                try (SyncLogContext ignored = SyncLogContext.open(registryId, rebuildId)) {
                    commands.publish(new RegistryCommand.Rebuild(rebuildId, registryId, requestedAt, reason, force,
                            requestedBy));
                }
                published++;
            }
        } catch (RuntimeException e) {
            // what was never published must not show as queued for ever
            List<UUID> unpublished = registryIds.subList(published, registryIds.size());
            control.jdbc().sql("DELETE FROM marketplace_control.rebuild_requests WHERE rebuild_id = ? AND registry_id = ANY (?)")
                    .params(rebuildId, unpublished.toArray(UUID[]::new)).update();
            throw e;
        }
        return new Started(rebuildId, requestedAt, registryIds, accepted);
    }

    /** The reason as the worker's progress lines spell it. */
    private static String reasonName(RebuildReason reason) {
        return reason.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
