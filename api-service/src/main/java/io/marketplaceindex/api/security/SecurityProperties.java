package io.marketplaceindex.api.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Credentials come from the environment only. An unset token or password disables that way in;
 * nothing has a default secret.
 *
 * @param adminToken    bearer token with the admin role (MARKETPLACE_ADMIN_TOKEN)
 * @param adminEmail    login of the web page's admin (MARKETPLACE_ADMIN_EMAIL)
 * @param adminPassword its password (MARKETPLACE_ADMIN_PASSWORD)
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
