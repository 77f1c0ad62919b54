package io.marketplaceindex.registry;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pure helpers of the client, without a server. */
class RegistryClientPartsTest {

    @Test
    void defaultsMatchTheDesign() {
        RegistryClientSettings d = RegistryClientSettings.defaults();

        assertThat(d.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(d.responseTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.totalRequestDeadline()).isEqualTo(Duration.ofSeconds(15));
        assertThat(d.maxListingBytes()).isEqualTo(16L * 1024 * 1024);
        assertThat(d.maxRecordBytes()).isEqualTo(65_536);
        assertThat(d.maxCardBytes()).isEqualTo(512_000);
        assertThat(d.maxRedirects()).isEqualTo(3);
        assertThat(d.allowPrivateAddresses()).isFalse();
        assertThat(d.allowLoopback()).isFalse();
        assertThat(d.maxRetries()).isEqualTo(2);
        assertThat(d.retryInitialBackoff()).isEqualTo(Duration.ofMillis(200));
        assertThat(d.retryMaxBackoff()).isEqualTo(Duration.ofSeconds(2));
        assertThat(d.maxRetryAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.circuitFailureRateThreshold()).isEqualTo(50f);
        assertThat(d.circuitSlidingWindowSize()).isEqualTo(20);
        assertThat(d.circuitMinimumCalls()).isEqualTo(10);
        assertThat(d.circuitOpenDuration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.rateLimitPerSecond()).isZero();
        assertThat(d.maxConnectionsPerRoute()).isEqualTo(16);
        assertThat(d.maxConnectionsTotal()).isEqualTo(256);
        assertThat(d.userAgent()).isEqualTo("marketplace-index/0.1");
        assertThat(RegistryClientSettings.of(Map.of("max-retries", 0)))
                .isEqualTo(RegistryClientSettings.of(Map.of("max-retries", "0")))
                .isNotEqualTo(d);
    }

    @Test
    void settingsBindAsTheServicesBindThem() {
        RegistryClientSettings s = RegistryClientSettings.of(Map.of("connect-timeout", "500ms",
                "allow-private-addresses", "true", "max-listing-bytes", "1024", "rate-limit-per-second", "0.5",
                "user-agent", "probe/1"));

        assertThat(s.connectTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.allowPrivateAddresses()).isTrue();
        assertThat(s.maxListingBytes()).isEqualTo(1024);
        assertThat(s.rateLimitPerSecond()).isEqualTo(0.5);
        assertThat(s.userAgent()).isEqualTo("probe/1");
        assertThat(s.responseTimeout()).as("an unset key keeps its default").isEqualTo(Duration.ofSeconds(5));
        assertThat(s.withConnectionPool(24, 300)).satisfies(p -> {
            assertThat(p.maxConnectionsPerRoute()).isEqualTo(24);
            assertThat(p.maxConnectionsTotal()).isEqualTo(300);
            assertThat(p.connectTimeout()).isEqualTo(Duration.ofMillis(500));
        });
    }

    @Test
    void settingsRejectNonsense() {
        assertThatThrownBy(() -> RegistryClientSettings.of(Map.of("max-card-bytes", 0)))
                .hasRootCauseInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RegistryClientSettings.of(Map.of("connect-timeout", "0s")))
                .hasRootCauseInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RegistryClientSettings.of(Map.of("rate-limit-per-second", -1)))
                .hasRootCauseInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RegistryClientSettings.defaults().withConnectionPool(32, 16))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void handlesBecomeOnePathSegment() {
        assertThat(RequestUrls.encodePathSegment("a/b#c:d e")).isEqualTo("a%2Fb%23c%3Ad%20e");
        assertThat(RequestUrls.encodePathSegment("A-z_0.9~")).isEqualTo("A-z_0.9~");
        assertThat(RequestUrls.encodePathSegment("ü?%+")).isEqualTo("%C3%BC%3F%25%2B");
        assertThat(RequestUrls.encodePathSegment("..")).isEqualTo("%2E%2E");
        assertThat(RequestUrls.encodePathSegment(".")).isEqualTo("%2E");
        assertThat(RequestUrls.encodePathSegment("...")).isEqualTo("...");
    }

    @Test
    void usableHandles() {
        assertThat(RegistryParsers.isUsableHandle("acme/agent-😀")).isTrue();
        assertThat(RegistryParsers.isUsableHandle("x".repeat(512))).isTrue();
        assertThat(RegistryParsers.isUsableHandle("x".repeat(513))).isFalse();
        assertThat(RegistryParsers.isUsableHandle(" \t")).isFalse();
        assertThat(RegistryParsers.isUsableHandle("line\nbreak")).isFalse();
        assertThat(RegistryParsers.isUsableHandle("del\u007f")).isFalse();
        // the index's rule (Handles): C1 controls are not refused, and length counts code points
        assertThat(RegistryParsers.isUsableHandle("c1\u0085")).isTrue();
        assertThat(RegistryParsers.isUsableHandle("\uD83D\uDE00".repeat(300))).isTrue();
        assertThat(RegistryParsers.isUsableHandle("lone\ud800")).isFalse();
        assertThat(RegistryParsers.isUsableHandle("\udc00lone")).isFalse();
    }

    @Test
    void retryAfterInSecondsOrAsADate() {
        assertThat(ResponseBodies.parseRetryAfter("7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(ResponseBodies.parseRetryAfter(" 0 ")).isEqualTo(Duration.ZERO);
        assertThat(ResponseBodies.parseRetryAfter("99999999999999999999")).isGreaterThan(Duration.ofDays(1));
        assertThat(ResponseBodies.parseRetryAfter(null)).isNull();
        assertThat(ResponseBodies.parseRetryAfter("soon")).isNull();
        assertThat(ResponseBodies.parseRetryAfter("-5")).isNull();

        String inTenSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(10));
        assertThat(ResponseBodies.parseRetryAfter(inTenSeconds)).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(11));
        assertThat(ResponseBodies.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
    }

    @Test
    void exceptionUrlsAndMessagesAreSafeToShow() {
        RegistryFetchException e = new RegistryFetchException(RegistryFetchException.Kind.IO,
                "boom\r\nInjected: header " + "y".repeat(1_000),
                "https://user:pw@cards.example:8443/a/b?sig=SECRET#frag", null, null);

        assertThat(e.url()).isEqualTo("https://cards.example:8443/a/b");
        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r").hasSizeLessThanOrEqualTo(300);
        assertThat(e.compatibleStatus()).isEqualTo("error");
        assertThat(RegistryFetchException.compatibleStatus(new IllegalStateException())).isEqualTo("error");
        assertThat(RegistryFetchException.compatibleStatus(new RegistryFetchException(
                RegistryFetchException.Kind.HTTP_STATUS, "HTTP 503", null, 503, null))).isEqualTo("http_503");
        assertThat(RegistryFetchException.safeUrl("not a url with spaces?x=SECRET")).doesNotContain("SECRET");
    }
}
