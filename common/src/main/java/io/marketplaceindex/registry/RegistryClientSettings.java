package io.marketplaceindex.registry;

import java.time.Duration;
import java.util.Objects;

/**
 * Every limit the {@link RegistryClient} enforces against registries it does not control.
 * Start from {@link #defaults()} and adjust through {@link #toBuilder()}.
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
 *                                 targets (on-premises registries). Cloud metadata endpoints stay
 *                                 blocked regardless
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
public record RegistryClientSettings(
        Duration connectTimeout,
        Duration responseTimeout,
        Duration totalRequestDeadline,
        long maxListingBytes,
        long maxRecordBytes,
        long maxCardBytes,
        int maxRedirects,
        boolean allowPrivateAddresses,
        boolean allowLoopback,
        int maxRetries,
        Duration retryInitialBackoff,
        Duration retryMaxBackoff,
        Duration maxRetryAfter,
        float circuitFailureRateThreshold,
        int circuitSlidingWindowSize,
        int circuitMinimumCalls,
        Duration circuitOpenDuration,
        double rateLimitPerSecond,
        int maxConnectionsPerRoute,
        int maxConnectionsTotal,
        String userAgent) {

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

    /** The production defaults. */
    public static RegistryClientSettings defaults() {
        return new Builder().build();
    }

    /** A builder preset with {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration responseTimeout = Duration.ofSeconds(5);
        private Duration totalRequestDeadline = Duration.ofSeconds(15);
        private long maxListingBytes = 16L * 1024 * 1024;
        private long maxRecordBytes = 64L * 1024;
        private long maxCardBytes = 512_000;
        private int maxRedirects = 3;
        private boolean allowPrivateAddresses = false;
        private boolean allowLoopback = false;
        private int maxRetries = 2;
        private Duration retryInitialBackoff = Duration.ofMillis(200);
        private Duration retryMaxBackoff = Duration.ofSeconds(2);
        private Duration maxRetryAfter = Duration.ofSeconds(30);
        private float circuitFailureRateThreshold = 50f;
        private int circuitSlidingWindowSize = 20;
        private int circuitMinimumCalls = 10;
        private Duration circuitOpenDuration = Duration.ofSeconds(30);
        private double rateLimitPerSecond = 0;
        private int maxConnectionsPerRoute = 16;
        private int maxConnectionsTotal = 256;
        private String userAgent = "marketplace-index/0.1";

        private Builder() {
        }

        private Builder(RegistryClientSettings s) {
            connectTimeout = s.connectTimeout;
            responseTimeout = s.responseTimeout;
            totalRequestDeadline = s.totalRequestDeadline;
            maxListingBytes = s.maxListingBytes;
            maxRecordBytes = s.maxRecordBytes;
            maxCardBytes = s.maxCardBytes;
            maxRedirects = s.maxRedirects;
            allowPrivateAddresses = s.allowPrivateAddresses;
            allowLoopback = s.allowLoopback;
            maxRetries = s.maxRetries;
            retryInitialBackoff = s.retryInitialBackoff;
            retryMaxBackoff = s.retryMaxBackoff;
            maxRetryAfter = s.maxRetryAfter;
            circuitFailureRateThreshold = s.circuitFailureRateThreshold;
            circuitSlidingWindowSize = s.circuitSlidingWindowSize;
            circuitMinimumCalls = s.circuitMinimumCalls;
            circuitOpenDuration = s.circuitOpenDuration;
            rateLimitPerSecond = s.rateLimitPerSecond;
            maxConnectionsPerRoute = s.maxConnectionsPerRoute;
            maxConnectionsTotal = s.maxConnectionsTotal;
            userAgent = s.userAgent;
        }

        public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
        public Builder responseTimeout(Duration v) { responseTimeout = v; return this; }
        public Builder totalRequestDeadline(Duration v) { totalRequestDeadline = v; return this; }
        public Builder maxListingBytes(long v) { maxListingBytes = v; return this; }
        public Builder maxRecordBytes(long v) { maxRecordBytes = v; return this; }
        public Builder maxCardBytes(long v) { maxCardBytes = v; return this; }
        public Builder maxRedirects(int v) { maxRedirects = v; return this; }
        public Builder allowPrivateAddresses(boolean v) { allowPrivateAddresses = v; return this; }
        public Builder allowLoopback(boolean v) { allowLoopback = v; return this; }
        public Builder maxRetries(int v) { maxRetries = v; return this; }
        public Builder retryInitialBackoff(Duration v) { retryInitialBackoff = v; return this; }
        public Builder retryMaxBackoff(Duration v) { retryMaxBackoff = v; return this; }
        public Builder maxRetryAfter(Duration v) { maxRetryAfter = v; return this; }
        public Builder circuitFailureRateThreshold(float v) { circuitFailureRateThreshold = v; return this; }
        public Builder circuitSlidingWindowSize(int v) { circuitSlidingWindowSize = v; return this; }
        public Builder circuitMinimumCalls(int v) { circuitMinimumCalls = v; return this; }
        public Builder circuitOpenDuration(Duration v) { circuitOpenDuration = v; return this; }
        public Builder rateLimitPerSecond(double v) { rateLimitPerSecond = v; return this; }
        public Builder maxConnectionsPerRoute(int v) { maxConnectionsPerRoute = v; return this; }
        public Builder maxConnectionsTotal(int v) { maxConnectionsTotal = v; return this; }
        public Builder userAgent(String v) { userAgent = v; return this; }

        public RegistryClientSettings build() {
            return new RegistryClientSettings(connectTimeout, responseTimeout, totalRequestDeadline,
                    maxListingBytes, maxRecordBytes, maxCardBytes, maxRedirects, allowPrivateAddresses,
                    allowLoopback, maxRetries, retryInitialBackoff, retryMaxBackoff, maxRetryAfter,
                    circuitFailureRateThreshold, circuitSlidingWindowSize, circuitMinimumCalls,
                    circuitOpenDuration, rateLimitPerSecond, maxConnectionsPerRoute, maxConnectionsTotal,
                    userAgent);
        }
    }
}
