package io.marketplaceindex.api.account;

import io.marketplaceindex.api.control.ControlDatabase;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * API tokens in marketplace_control.api_tokens, by the SHA-256 of their secret. Read through the main
 * pool (every bearer request looks its token up), written through the control pool.
 */
@Repository
class TokenRepository {

    /** A token as its owner or an admin sees it: never its hash. */
    record TokenView(UUID id, String name, String role, Long ownerId, String owner, String createdBy,
                     OffsetDateTime createdAt, OffsetDateTime expiresAt, OffsetDateTime lastUsedAt,
                     OffsetDateTime revokedAt) {
    }

    /**
     * What a request needs to know about its token, judged by the database's clock (one clock for
     * every replica).
     */
    record Presented(UUID id, String name, Role role, Long ownerId, String ownerEmail, Role ownerRole,
                     boolean ownerDisabled, boolean revoked, boolean expired, boolean touchDue) {
    }

    private static final String VIEW = """
            SELECT t.id, t.name, t.role, t.owner_id, u.email, t.created_by, t.created_at, t.expires_at,
                   t.last_used_at, t.revoked_at
            FROM marketplace_control.api_tokens t
            LEFT JOIN marketplace_control.users u ON u.id = t.owner_id
            """;

    private final JdbcClient jdbc;
    private final ControlDatabase control;

    TokenRepository(JdbcClient jdbc, ControlDatabase control) {
        this.jdbc = jdbc;
        this.control = control;
    }

    void insert(UUID id, String name, byte[] secretHash, Role role, Long ownerId, String createdBy,
                OffsetDateTime expiresAt) {
        control.jdbc().sql("""
                        INSERT INTO marketplace_control.api_tokens
                            (id, name, secret_hash, role, owner_id, created_by, expires_at)
                        VALUES (:id, :name, :hash, :role, :owner, :createdBy, :expiresAt)""")
                .param("id", id).param("name", name).param("hash", secretHash).param("role", role.id())
                .param("owner", ownerId).param("createdBy", createdBy).param("expiresAt", expiresAt)
                .update();
    }

    /**
     * By api_tokens_secret_hash_key, on every request: a revoke or an expiry is seen by every replica
     * at once, which no per-replica cache could promise. touchDue says last_used_at is a minute old.
     */
    Optional<Presented> findBySecretHash(byte[] secretHash) {
        return jdbc.sql("""
                        SELECT t.id, t.name, t.role, t.owner_id, u.email, u.role, coalesce(u.disabled, false),
                               t.revoked_at IS NOT NULL, t.expires_at <= now(),
                               t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute'
                        FROM marketplace_control.api_tokens t
                        LEFT JOIN marketplace_control.users u ON u.id = t.owner_id
                        WHERE t.secret_hash = :hash""")
                .param("hash", secretHash)
                .query((rs, n) -> new Presented(rs.getObject(1, UUID.class), rs.getString(2), Role.parse(rs.getString(3)),
                        (Long) rs.getObject(4), rs.getString(5), rs.getString(6) == null ? null : Role.parse(rs.getString(6)),
                        rs.getBoolean(7), rs.getBoolean(8), rs.getBoolean(9), rs.getBoolean(10)))
                .optional();
    }

    /** At most one write a minute per token, however busy it is (the condition repeats the read's). */
    void touch(UUID id) {
        control.jdbc().sql("""
                        UPDATE marketplace_control.api_tokens SET last_used_at = now()
                        WHERE id = :id AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')""")
                .param("id", id).update();
    }

    /** @param ownerId only this account's tokens, or all when null */
    List<TokenView> list(Long ownerId) {
        return jdbc.sql(VIEW + " WHERE :owner::bigint IS NULL OR t.owner_id = :owner ORDER BY t.created_at, t.id")
                .param("owner", ownerId).query(TokenRepository::view).list();
    }

    Optional<TokenView> find(UUID id) {
        return jdbc.sql(VIEW + " WHERE t.id = :id").param("id", id).query(TokenRepository::view).optional();
    }

    /** Revoking twice keeps the first time. */
    void revoke(UUID id) {
        control.jdbc().sql("UPDATE marketplace_control.api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = :id")
                .param("id", id).update();
    }

    private static TokenView view(ResultSet rs, int n) throws SQLException {
        return new TokenView(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), (Long) rs.getObject(4),
                rs.getString(5), rs.getString(6), rs.getObject(7, OffsetDateTime.class),
                rs.getObject(8, OffsetDateTime.class), rs.getObject(9, OffsetDateTime.class),
                rs.getObject(10, OffsetDateTime.class));
    }
}
