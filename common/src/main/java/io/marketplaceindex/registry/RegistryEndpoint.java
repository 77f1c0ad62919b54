package io.marketplaceindex.registry;

import java.util.Objects;

/**
 * Where and how to reach one registry. The bearer token is sent to the registry's own origin
 * only, and never printed.
 */
public record RegistryEndpoint(String registryId, String baseUrl, String bearerToken) {

    public RegistryEndpoint {
        Objects.requireNonNull(registryId, "registryId");
        baseUrl = RegistryUrls.normalize(baseUrl);
        bearerToken = bearerToken == null || bearerToken.isBlank() ? null : bearerToken;
    }

    @Override
    public String toString() {
        return "RegistryEndpoint[registryId=" + registryId + ", baseUrl=" + baseUrl
                + ", bearerToken=" + (bearerToken == null ? "none" : "(redacted)") + "]";
    }
}
