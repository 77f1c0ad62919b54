package io.marketplaceindex.registry;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * Binds {@code marketplace.registry.*} (e.g. MARKETPLACE_REGISTRY_ALLOW_PRIVATE_ADDRESSES) for
 * both services. Unset keys keep the defaults of {@link RegistryClientSettings#defaults()}.
 *
 * @param allowPrivateAddresses let registries, records and cards point at loopback, private,
 *                              link-local or metadata addresses; for local runs and tests only
 */
@ConfigurationProperties("marketplace.registry")
public record RegistryClientProperties(Boolean allowPrivateAddresses,
                                       Duration connectTimeout,
                                       Duration responseTimeout,
                                       Duration totalRequestDeadline,
                                       Long maxListingBytes,
                                       Long maxRecordBytes,
                                       Long maxCardBytes,
                                       Integer maxRedirects,
                                       Integer maxRetries,
                                       Duration maxRetryAfter,
                                       Double rateLimitPerSecond,
                                       Integer maxConnectionsPerRoute,
                                       Integer maxConnectionsTotal) {

    public RegistryClientSettings toSettings() {
        RegistryClientSettings.Builder b = RegistryClientSettings.defaults().toBuilder();
        if (Boolean.TRUE.equals(allowPrivateAddresses)) {
            b.allowPrivateAddresses(true).allowLoopback(true);
        }
        if (connectTimeout != null) {
            b.connectTimeout(connectTimeout);
        }
        if (responseTimeout != null) {
            b.responseTimeout(responseTimeout);
        }
        if (totalRequestDeadline != null) {
            b.totalRequestDeadline(totalRequestDeadline);
        }
        if (maxListingBytes != null) {
            b.maxListingBytes(maxListingBytes);
        }
        if (maxRecordBytes != null) {
            b.maxRecordBytes(maxRecordBytes);
        }
        if (maxCardBytes != null) {
            b.maxCardBytes(maxCardBytes);
        }
        if (maxRedirects != null) {
            b.maxRedirects(maxRedirects);
        }
        if (maxRetries != null) {
            b.maxRetries(maxRetries);
        }
        if (maxRetryAfter != null) {
            b.maxRetryAfter(maxRetryAfter);
        }
        if (rateLimitPerSecond != null) {
            b.rateLimitPerSecond(rateLimitPerSecond);
        }
        if (maxConnectionsPerRoute != null) {
            b.maxConnectionsPerRoute(maxConnectionsPerRoute);
        }
        if (maxConnectionsTotal != null) {
            b.maxConnectionsTotal(maxConnectionsTotal);
        }
        return b.build();
    }
}
