package io.marketplaceindex.worker.registry;

import io.marketplaceindex.secrets.TokenCipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.UUID;

/**
 * At start, brings every stored token under the current key: tokens stored in plain text before
 * encryption existed are encrypted, tokens under a previous key (a rotation) are re-encrypted. Each
 * token is replaced only if it is still the value read, so replicas starting together, or a command
 * changing the token meanwhile, are harmless. Without a key it only reports what it could not do.
 */
@Component
public class TokenReencryption {

    private static final Logger log = LoggerFactory.getLogger(TokenReencryption.class);

    private final JdbcClient jdbc;
    private final TokenCipher cipher;

    public TokenReencryption(JdbcClient jdbc, TokenCipher cipher) {
        this.jdbc = jdbc;
        this.cipher = cipher;
    }

    private record Stored(UUID id, String token) {
    }

    /** A tally of one pass. */
    public record Pass(int reencrypted, int plainTextLeft, int undecryptable) {
    }

    @EventListener(ApplicationReadyEvent.class)
    void atStart() {
        run();
    }

    public Pass run() {
        List<Stored> tokens = jdbc.sql("SELECT id, auth_token FROM marketplace_registries WHERE auth_token IS NOT NULL")
                .query((rs, n) -> new Stored(rs.getObject("id", UUID.class), rs.getString("auth_token"))).list();
        int reencrypted = 0;
        int plain = 0;
        int undecryptable = 0;
        for (Stored stored : tokens) {
            if (!cipher.needsReencryption(stored.token())) {
                plain += TokenCipher.isEncrypted(stored.token()) ? 0 : 1;
                continue;
            }
            try {
                String sealed = cipher.reencrypt(stored.token(), stored.id());
                reencrypted += jdbc.sql("UPDATE marketplace_registries SET auth_token = ? WHERE id = ? AND auth_token = ?")
                        .params(sealed, stored.id(), stored.token()).update();
            } catch (TokenCipher.KeyNotConfiguredException | TokenCipher.UndecryptableTokenException e) {
                undecryptable++;
                log.error("registry {}: its token cannot be re-encrypted: {}", stored.id(), e.getMessage());
            }
        }
        if (reencrypted > 0) {
            log.info("{} registry tokens encrypted under key '{}'", reencrypted, cipher.currentKeyId());
        }
        if (plain > 0) {
            log.warn("{} registry tokens are stored in plain text: configure MARKETPLACE_TOKEN_ENCRYPTION_KEY and "
                    + "restart a worker to encrypt them", plain);
        }
        return new Pass(reencrypted, plain, undecryptable);
    }
}
