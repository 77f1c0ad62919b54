package io.marketplaceindex.registry;

import java.util.Objects;

/**
 * Where and how to reach one registry, and never printed with its token.
 *
 * <p>The bearer token goes to the registry's own endpoints (health, listing, records) on its own
 * origin only. Card URLs are chosen by whoever publishes an agent, and cards are served back to the
 * public: a card URL pointing at a private path of the registry would otherwise read that path with
 * the registry's credentials and publish the answer. So cards get the token only when an operator
 * says the registry's cards need it ({@code sendTokenToCards}), and even then only on its origin.
 */
public record RegistryEndpoint(String registryId, String baseUrl, String bearerToken, boolean sendTokenToCards) {

    public RegistryEndpoint {
        Objects.requireNonNull(registryId, "registryId");
        baseUrl = RegistryUrls.normalize(baseUrl);
        bearerToken = bearerToken == null || bearerToken.isBlank() ? null : bearerToken;
    }

    /** A registry whose cards are fetched without its token (the default). */
    public RegistryEndpoint(String registryId, String baseUrl, String bearerToken) {
        this(registryId, baseUrl, bearerToken, false);
    }

    @Override
    public String toString() {
        return "RegistryEndpoint[registryId=" + registryId + ", baseUrl=" + baseUrl
                + ", bearerToken=" + (bearerToken == null ? "none" : "(redacted)")
                + ", sendTokenToCards=" + sendTokenToCards + "]";
    }
}
