package io.marketplaceindex.registry;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Every limit the {@link RegistryClient} enforces against registries it does not control, bound
 * from {@code marketplace.registry.*} (e.g. MARKETPLACE_REGISTRY_ALLOW_PRIVATE_ADDRESSES) in both
 * services. A key left unset keeps its default; the defaults are written once, in the
 * {@link DefaultValue}s below, and {@link #defaults()} and {@link #of(Map)} bind them as the
 * services do, so code and tests get the values an unconfigured service runs with.
 *
 * @param connectTimeout           TCP (and TLS) connect timeout per address
 * @param responseTimeout          socket read timeout: longest silence while waiting for the
 *                                 response head or between body bytes
 * @param totalRequestDeadline     wall-clock cap on one attempt, redirect hops included; the read
 *                                 timeout alone cannot stop a body that trickles one byte at a time
 * @param maxListingBytes          body cap for {@code GET /v1/records}
 * @param maxRecordBytes           body cap for a record (and for the health answer)
 * @param maxCardBytes             body cap for an agent card
 * @param maxRedirects             redirects followed per attempt; one more is an error
 * @param allowPrivateAddresses    permit private, loopback, link-local, CGNAT and unique-local
 *                                 targets (on-premises registries, local runs, tests). Cloud
 *                                 metadata endpoints stay blocked regardless
 * @param allowLoopback            permit loopback only (127/8, ::1), keeping every other private
 *                                 range blocked: for a registry running on the same host, and for
 *                                 tests that need the SSRF guard active against a local server
 * @param maxRetries               retries after the first attempt for idempotent GETs
 * @param retryInitialBackoff      first backoff; doubles per retry, with jitter
 * @param retryMaxBackoff          backoff ceiling
 * @param maxRetryAfter            a 429 asking to wait longer than this fails instead of sleeping
 * @param circuitFailureRateThreshold percentage of failed calls that opens a registry's circuit
 * @param circuitSlidingWindowSize number of recent calls the failure rate is computed over
 * @param circuitMinimumCalls      calls needed before the failure rate is judged at all
 * @param circuitOpenDuration      how long an open circuit fails fast before probing again
 * @param rateLimitPerSecond       requests per second per registry; 0 means unlimited. Fractions
 *                                 are allowed (0.5 = one request every two seconds)
 * @param maxConnectionsPerRoute   pooled connections per host
 * @param maxConnectionsTotal      pooled connections overall
 * @param userAgent                User-Agent header value
 */
@ConfigurationProperties(RegistryClientSettings.PREFIX)
public record RegistryClientSettings(
        @DefaultValue("2s") Duration connectTimeout,
        @DefaultValue("5s") Duration responseTimeout,
        @DefaultValue("15s") Duration totalRequestDeadline,
        @DefaultValue("16777216") long maxListingBytes,
        @DefaultValue("65536") long maxRecordBytes,
        @DefaultValue("512000") long maxCardBytes,
        @DefaultValue("3") int maxRedirects,
        @DefaultValue("false") boolean allowPrivateAddresses,
        @DefaultValue("false") boolean allowLoopback,
        @DefaultValue("2") int maxRetries,
        @DefaultValue("200ms") Duration retryInitialBackoff,
        @DefaultValue("2s") Duration retryMaxBackoff,
        @DefaultValue("30s") Duration maxRetryAfter,
        @DefaultValue("50") float circuitFailureRateThreshold,
        @DefaultValue("20") int circuitSlidingWindowSize,
        @DefaultValue("10") int circuitMinimumCalls,
        @DefaultValue("30s") Duration circuitOpenDuration,
        @DefaultValue("0") double rateLimitPerSecond,
        @DefaultValue("16") int maxConnectionsPerRoute,
        @DefaultValue("256") int maxConnectionsTotal,
        @DefaultValue("marketplace-index/0.1") String userAgent) {

    /** Where the services read these settings from. */
    public static final String PREFIX = "marketplace.registry";

    public RegistryClientSettings {
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(responseTimeout, "responseTimeout");
        requirePositive(totalRequestDeadline, "totalRequestDeadline");
        requirePositive(retryInitialBackoff, "retryInitialBackoff");
        requirePositive(retryMaxBackoff, "retryMaxBackoff");
        requirePositive(circuitOpenDuration, "circuitOpenDuration");
        Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
        if (maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException("maxRetryAfter must not be negative");
        }
        if (maxListingBytes <= 0 || maxRecordBytes <= 0 || maxCardBytes <= 0) {
            throw new IllegalArgumentException("body limits must be positive");
        }
        if (maxRedirects < 0 || maxRetries < 0) {
            throw new IllegalArgumentException("maxRedirects and maxRetries must not be negative");
        }
        if (!(circuitFailureRateThreshold > 0 && circuitFailureRateThreshold <= 100)) {
            throw new IllegalArgumentException("circuitFailureRateThreshold must be in (0, 100]");
        }
        if (circuitSlidingWindowSize < 1 || circuitMinimumCalls < 1) {
            throw new IllegalArgumentException("circuit window and minimum calls must be at least 1");
        }
        if (!(rateLimitPerSecond >= 0) || Double.isInfinite(rateLimitPerSecond)) {
            throw new IllegalArgumentException("rateLimitPerSecond must be a finite number >= 0");
        }
        if (maxConnectionsPerRoute < 1 || maxConnectionsTotal < maxConnectionsPerRoute) {
            throw new IllegalArgumentException(
                    "need maxConnectionsPerRoute >= 1 and maxConnectionsTotal >= maxConnectionsPerRoute");
        }
        if (userAgent == null || userAgent.isBlank()) {
            throw new IllegalArgumentException("userAgent is required");
        }
    }

    /** What a service runs with when nothing is configured. */
    public static RegistryClientSettings defaults() {
        return of(Map.of());
    }

    /**
     * The settings a service would bind from these properties, named without the prefix as in a
     * configuration file ({@code "max-retries"}, {@code "connect-timeout"}); values as text
     * ({@code "500ms"}) or typed. Every key not given keeps its default.
     *
     * @throws org.springframework.boot.context.properties.bind.BindException for an unknown value
     *         format or a value the constructor refuses (its cause says which)
     */
    public static RegistryClientSettings of(Map<String, ?> properties) {
        Map<String, Object> prefixed = new HashMap<>();
        properties.forEach((key, value) -> prefixed.put(PREFIX + "." + key, value));
        return new Binder(new MapConfigurationPropertySource(prefixed)).bindOrCreate(PREFIX,
                RegistryClientSettings.class);
    }

    /** These settings with a connection pool of this size. */
    public RegistryClientSettings withConnectionPool(int perRoute, int total) {
        return new RegistryClientSettings(connectTimeout, responseTimeout, totalRequestDeadline, maxListingBytes,
                maxRecordBytes, maxCardBytes, maxRedirects, allowPrivateAddresses, allowLoopback, maxRetries,
                retryInitialBackoff, retryMaxBackoff, maxRetryAfter, circuitFailureRateThreshold,
                circuitSlidingWindowSize, circuitMinimumCalls, circuitOpenDuration, rateLimitPerSecond, perRoute,
                total, userAgent);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
