package io.marketplaceindex.api.live;

import io.marketplaceindex.secrets.TokenCipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.List;
import java.util.UUID;

@Repository
class LiveRegistryRepository {

    private static final Logger log = LoggerFactory.getLogger(LiveRegistryRepository.class);

    private final JdbcClient jdbc;
    private final TokenCipher cipher;

    LiveRegistryRepository(JdbcClient jdbc, TokenCipher cipher) {
        this.jdbc = jdbc;
        this.cipher = cipher;
    }

    /**
     * Every enabled registry, in a stable order (the live catalog's cache key is derived from it), its
     * token decrypted for the fetch. A token that cannot be decrypted is left out (the registry then
     * answers as it does to anyone without it), and said so in the log without the token.
     */
    List<LiveRegistry> enabled() {
        return jdbc.sql("""
                        SELECT id, name, url, auth_token, send_token_to_cards
                        FROM marketplace_registries WHERE enabled ORDER BY id
                        """)
                .query((rs, n) -> new LiveRegistry(rs.getString("id"), rs.getString("name"), rs.getString("url"),
                        token(rs.getString("auth_token"), rs.getString("id")), rs.getBoolean("send_token_to_cards")))
                .list();
    }

    private String token(String stored, String registryId) {
        try {
            return cipher.decrypt(stored, UUID.fromString(registryId));
        } catch (TokenCipher.KeyNotConfiguredException | TokenCipher.UndecryptableTokenException e) {
            log.warn("registry {} is fetched without its token: {}", registryId, e.getMessage());
            return null;
        }
    }

    /** Whether the index holds no row at all: the case where source=db falls back to the live path. */
    boolean indexIsEmpty() {
        return Boolean.TRUE.equals(jdbc.sql("SELECT NOT EXISTS (SELECT 1 FROM marketplace_catalog_rows)")
                .query(Boolean.class).single());
    }
}
