package io.marketplaceindex.api.account;

import io.marketplaceindex.api.security.SecurityProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The first admin account, from MARKETPLACE_ADMIN_EMAIL / MARKETPLACE_ADMIN_PASSWORD, created only
 * while no account exists: after that the accounts table is the truth, and a restart with another
 * password changes nothing. Tried when the service is ready and again before a sign-in until it has
 * run once, so that a database that was down at start does not leave the service without an admin.
 */
@Component
public class AdminBootstrap {

    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);

    private final SecurityProperties properties;
    private final UserRepository users;
    private final PasswordEncoder encoder;
    private final AtomicBoolean settled = new AtomicBoolean();

    AdminBootstrap(SecurityProperties properties, UserRepository users, PasswordEncoder encoder) {
        this.properties = properties;
        this.users = users;
        this.encoder = encoder;
    }

    @EventListener(ApplicationReadyEvent.class)
    void onReady() {
        try {
            ensure();
        } catch (DataAccessException e) {
            log.warn("could not check for a first admin account yet (retried at the next sign-in): {}", e.getMessage());
        }
    }

    /** Creates the first admin if none exists and the environment names one; a no-op once settled. */
    public void ensure() {
        if (settled.get()) {
            return;
        }
        String email = properties.adminEmail();
        String password = properties.adminPassword();
        if (email == null || email.isBlank() || password == null || password.isEmpty()) {
            settled.set(true);
            return;
        }
        if (users.anyExists()) {
            settled.set(true);
            return;
        }
        String hash = encoder.encode(password);
        if (users.createFirst(Accounts.validEmail(email), hash)) {
            log.info("created the first admin account {} from MARKETPLACE_ADMIN_EMAIL", email.trim());
        }
        settled.set(true);
    }
}
