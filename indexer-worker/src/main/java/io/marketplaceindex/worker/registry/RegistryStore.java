package io.marketplaceindex.worker.registry;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** Registry rows: created, toggled and removed only here, on commands from the API. */
@Repository
public class RegistryStore {

    private final JdbcClient jdbc;

    public RegistryStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Registry> find(UUID id) {
        return jdbc.sql("""
                        SELECT id, name, url, auth_token, enabled, last_success_started_at, record_count, send_token_to_cards
                        FROM marketplace_registries WHERE id = ?
                        """)
                .param(id)
                .query((rs, n) -> new Registry(rs.getObject("id", UUID.class), rs.getString("name"),
                        rs.getString("url"), rs.getString("auth_token"), rs.getBoolean("enabled"),
                        instant(rs.getTimestamp("last_success_started_at")), rs.getInt("record_count"),
                        rs.getBoolean("send_token_to_cards")))
                .optional();
    }

    /**
     * @return false when the id exists already (a redelivered connect: harmless)
     * @throws DuplicateKeyException when another registry has this URL
     */
    public boolean insert(UUID id, String name, String url, String authToken, boolean sendTokenToCards) {
        // ON CONFLICT (id) only: a clash on the URL must surface as an error, not vanish.
        int inserted = jdbc.sql("""
                        INSERT INTO marketplace_registries (id, name, url, auth_token, send_token_to_cards)
                        VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (id) DO NOTHING
                        """)
                .params(id, name, url, authToken, sendTokenToCards)
                .update();
        return inserted == 1;
    }

    public boolean setEnabled(UUID id, boolean enabled) {
        return jdbc.sql("""
                        UPDATE marketplace_registries
                        SET enabled = ?, updated_at = now(),
                            sync_status = CASE WHEN ? THEN (CASE WHEN sync_status = 'disabled' THEN 'pending' ELSE sync_status END)
                                               ELSE 'disabled' END
                        WHERE id = ?
                        """)
                .params(enabled, enabled, id)
                .update() == 1;
    }

    public void recordCommandResult(UUID commandId, UUID registryId, String command, String status, String error) {
        jdbc.sql("""
                        INSERT INTO marketplace_command_results (command_id, registry_id, command, status, error)
                        VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (command_id) DO UPDATE SET status = EXCLUDED.status, error = EXCLUDED.error,
                                                               recorded_at = now()
                        """)
                .params(commandId, registryId, command, status, error)
                .update();
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
