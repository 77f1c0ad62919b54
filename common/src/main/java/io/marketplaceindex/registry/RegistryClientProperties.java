package io.marketplaceindex.registry;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Binds {@code marketplace.registry.*} for both services; see RegistryClientSettings for the knobs. */
@ConfigurationProperties("marketplace.registry")
public record RegistryClientProperties(Boolean allowPrivateAddresses) {

    public RegistryClientSettings toSettings() {
        RegistryClientSettings settings = RegistryClientSettings.defaults();
        return settings;
    }
}
