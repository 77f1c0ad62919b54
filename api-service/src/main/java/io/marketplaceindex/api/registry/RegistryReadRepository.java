package io.marketplaceindex.api.registry;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@Repository
class RegistryReadRepository {

    private static final String COLUMNS = """
            id, name, url, enabled, record_count, last_finished_at, last_sync_status, created_at,
            auth_token IS NOT NULL AS has_auth_token, sync_status, last_attempt_at, last_success_at,
            last_duration_ms, consecutive_failures, last_error, last_counts::text AS counts, send_token_to_cards""";

    private final JdbcClient jdbc;

    RegistryReadRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<RegistryView> list() {
        return jdbc.sql("SELECT " + COLUMNS + ", NULL AS recent_errors FROM marketplace_registries ORDER BY created_at, id")
                .query(MAPPER).list();
    }

    Optional<RegistryView> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + ", recent_errors::text AS recent_errors FROM marketplace_registries WHERE id = ?")
                .param(id).query(MAPPER).optional();
    }

    /** marketplace_registries_url_key */
    Optional<UUID> findIdByUrl(String normalizedUrl) {
        return jdbc.sql("SELECT id FROM marketplace_registries WHERE url = ?").param(normalizedUrl)
                .query(UUID.class).optional();
    }

    List<UUID> enabledIds() {
        return jdbc.sql("SELECT id FROM marketplace_registries WHERE enabled ORDER BY id").query(UUID.class).list();
    }

    List<UUID> existingIds(List<UUID> ids) {
        return jdbc.sql("SELECT id FROM marketplace_registries WHERE id = ANY (?) AND enabled")
                .param(ids.toArray(UUID[]::new)).query(UUID.class).list();
    }

    /** What an edit keeps unless it changes it: the URL and the stored (encrypted) token; and whether it will sync. */
    record StoredSettings(String url, String authToken, boolean enabled) {
        @Override
        public String toString() {
            return "StoredSettings[url=" + url + "]";
        }
    }

    Optional<StoredSettings> settings(UUID id) {
        return jdbc.sql("SELECT url, auth_token, enabled FROM marketplace_registries WHERE id = ?").param(id)
                .query((rs, n) -> new StoredSettings(rs.getString("url"), rs.getString("auth_token"),
                        rs.getBoolean("enabled")))
                .optional();
    }

    /**
     * The registry's command history, newest first: who asked for what, and whether the worker carried it
     * out or refused it (e.g. a duplicate URL that raced past the API's check). command_results_by_registry.
     */
    List<CommandResult> commandResults(UUID registryId) {
        return jdbc.sql("""
                        -- the history leaves out the registry: it is the one asked for
                        SELECT command_id, NULL::uuid AS registry_id, command, status, error, requested_by, recorded_at
                        FROM marketplace_command_results WHERE registry_id = ? ORDER BY recorded_at DESC LIMIT 20
                        """)
                .param(registryId).query(COMMAND_RESULT).list();
    }

    Optional<CommandResult> commandResult(UUID commandId) {
        return jdbc.sql("""
                        SELECT command_id, registry_id, command, status, error, requested_by, recorded_at
                        FROM marketplace_command_results WHERE command_id = ?
                        """)
                .param(commandId).query(COMMAND_RESULT).optional();
    }

    private static final RowMapper<CommandResult> COMMAND_RESULT = (rs, n) -> new CommandResult(
            rs.getObject("command_id", UUID.class), rs.getObject("registry_id", UUID.class), rs.getString("command"),
            rs.getString("status"), rs.getString("error"), rs.getString("requested_by"),
            instant(rs.getTimestamp("recorded_at")));

    private static final RowMapper<RegistryView> MAPPER = (rs, n) -> new RegistryView(
            rs.getString("id"), rs.getString("name"), rs.getString("url"), rs.getBoolean("enabled"),
            rs.getInt("record_count"), instant(rs.getTimestamp("last_finished_at")), rs.getString("last_sync_status"),
            instant(rs.getTimestamp("created_at")), rs.getBoolean("has_auth_token"), rs.getString("sync_status"),
            instant(rs.getTimestamp("last_attempt_at")), instant(rs.getTimestamp("last_success_at")),
            (Long) rs.getObject("last_duration_ms"), rs.getInt("consecutive_failures"), rs.getString("last_error"),
            rs.getString("counts"), rs.getString("recent_errors"), rs.getBoolean("send_token_to_cards"));

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
