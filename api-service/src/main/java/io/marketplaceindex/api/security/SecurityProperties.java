package io.marketplaceindex.api.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Credentials come from the environment only. An unset token or password disables that way in;
 * nothing has a default secret.
 *
 * @param adminToken    bootstrap bearer token with the admin role, of no account (MARKETPLACE_ADMIN_TOKEN)
 * @param adminEmail    the first admin account, created while no account exists (MARKETPLACE_ADMIN_EMAIL)
 * @param adminPassword its first password (MARKETPLACE_ADMIN_PASSWORD); later changes here change nothing
 * @param publicCatalog whether catalog reads need no login (MARKETPLACE_PUBLIC_CATALOG)
 */
@ConfigurationProperties("marketplace")
public record SecurityProperties(String adminToken, String adminEmail, String adminPassword,
                                 @DefaultValue("true") boolean publicCatalog) {

    @Override
    public String toString() {
        return "SecurityProperties[adminToken=" + (adminToken == null ? "unset" : "(set)") + ", adminEmail="
                + adminEmail + ", adminPassword=" + (adminPassword == null ? "unset" : "(set)") + ", publicCatalog="
                + publicCatalog + "]";
    }
}
