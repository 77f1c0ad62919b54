package io.marketplaceindex.worker.registry;

import io.marketplaceindex.secrets.TokenCipher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Registry rows: created, changed and removed only here, on commands from the API. Tokens are stored
 * as the ciphertext the commands carry, and decrypted only into the {@link Registry} a sync fetches with.
 */
@Repository
public class RegistryStore {

    private final JdbcClient jdbc;
    private final TokenCipher cipher;

    public RegistryStore(JdbcClient jdbc, TokenCipher cipher) {
        this.jdbc = jdbc;
        this.cipher = cipher;
    }

    public Optional<Registry> find(UUID id) {
        return jdbc.sql("""
                        SELECT id, name, url, auth_token, enabled, last_success_started_at, record_count, send_token_to_cards
                        FROM marketplace_registries WHERE id = ?
                        """)
                .param(id)
                .query((rs, n) -> {
                    String token = null;
                    String tokenError = null;
                    try {
                        token = cipher.decrypt(rs.getString("auth_token"), id);
                    } catch (TokenCipher.KeyNotConfiguredException | TokenCipher.UndecryptableTokenException e) {
                        tokenError = e.getMessage();
                    }
                    return new Registry(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("url"),
                            token, rs.getBoolean("enabled"), instant(rs.getTimestamp("last_success_started_at")),
                            rs.getInt("record_count"), rs.getBoolean("send_token_to_cards"), tokenError);
                })
                .optional();
    }

    /**
     * @param authToken as the command carried it: ciphertext, or (a version 1 command) plain text, which is
     *                  encrypted here when a key is configured
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
                .params(id, name, url, storable(authToken, id), sendTokenToCards)
                .update();
        return inserted == 1;
    }

    /** A token to store: ciphertext stays as it came; plain text is encrypted when it can be. */
    String storable(String authToken, UUID registryId) {
        if (authToken == null || authToken.isBlank()) {
            return null;
        }
        return !TokenCipher.isEncrypted(authToken) && cipher.canEncrypt() ? cipher.encrypt(authToken, registryId)
                : authToken;
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

    /**
     * One line of the registry's command history; a redelivered command rewrites its own line.
     *
     * @param requestedBy who asked (null for commands written before it was recorded)
     */
    public void recordCommandResult(UUID commandId, UUID registryId, String command, String status, String error,
                                    String requestedBy) {
        jdbc.sql("""
                        INSERT INTO marketplace_command_results (command_id, registry_id, command, status, error, requested_by)
                        VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (command_id, registry_id) DO UPDATE SET status = EXCLUDED.status, error = EXCLUDED.error,
                                                                            recorded_at = now()
                        """)
                .params(commandId, registryId, command, status, error, requestedBy)
                .update();
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
