package io.marketplaceindex.api.ratelimit;

import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.RawHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.TestPropertySource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who a sign-in attempt is counted against: the connection's address, or behind a trusted proxy the
 * right-most address of X-Forwarded-For that is not a trusted proxy; an IPv6 client per /64. And the
 * cap of failed sign-ins per account, which no client can turn into the operator's lock-out.
 *
 * <p>Here only 127.0.0.1 is a trusted proxy: the test's HTTP client plays the proxy, and a socket
 * bound to 127.0.0.2 plays a client connecting directly.
 */
@TestPropertySource(properties = {"marketplace.rate-limit.anonymous-per-minute=0",
        "marketplace.rate-limit.login-per-minute=3",
        "marketplace.rate-limit.login-failures-per-account-per-hour=5",
        "server.tomcat.remoteip.internal-proxies=127.0.0.1/32, ::1/128",
        "spring.data.redis.connect-timeout=10s", "spring.data.redis.timeout=5s"})
class ClientIdentityIT extends ApiTestSupport {

    private static final String NOBODY = "{\"email\":\"nobody@example.org\",\"password\":\"guess\"}";
    private static final String WRONG = "{\"email\":\"" + ADMIN_EMAIL + "\",\"password\":\"guess\"}";
    private static final String RIGHT = "{\"email\":\"" + ADMIN_EMAIL + "\",\"password\":\"" + ADMIN_PASSWORD + "\"}";

    @Autowired
    RedisConnectionFactory redis;

    /** Failures of the admin account counted by other suites of this run must not count here. */
    @BeforeEach
    void forgetAccountFailures() {
        StringRedisTemplate template = new StringRedisTemplate(redis);
        var keys = template.keys(TOPIC_PREFIX + "ratelimit:login-account-failures:*");
        if (keys != null && !keys.isEmpty()) {
            template.delete(keys);
        }
    }

    @Test
    void forwardedForFromAPeerThatIsNoTrustedProxyIsIgnored() throws Exception {
        for (int i = 1; i <= 3; i++) {
            assertThat(directLogin("198.51.100." + i).status()).as("attempt %d", i).isEqualTo(401);
        }
        // each attempt claimed another address, but all came from 127.0.0.2 and were counted against it
        RawHttp.Response refused = directLogin("198.51.100.4");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.body()).contains("too many sign-in attempts from this client");
        assertThat(refused.header("Retry-After")).isPresent();
    }

    @Test
    void aTrustedProxysForwardedForIsHonouredFromTheRightMostUntrustedHop() {
        String client = "203.0.113.7";
        for (int i = 1; i <= 3; i++) {
            assertThat(login(NOBODY, client).status()).as("attempt %d", i).isEqualTo(401);
        }
        assertThat(login(NOBODY, client).status()).isEqualTo(429);
        // a client's forged first hop changes nothing: the proxy appended the address it saw
        assertThat(login(NOBODY, "192.0.2.1, " + client).status()).isEqualTo(429);
        // a trusted proxy in the chain is skipped, the hop before it is the client
        assertThat(login(NOBODY, client + ", 127.0.0.1").status()).isEqualTo(429);
        // another client behind the same proxy has its own count
        assertThat(login(NOBODY, "203.0.113.8").status()).isEqualTo(401);
    }

    @Test
    void ipv6ClientsAreCountedPerSlash64() {
        assertThat(login(NOBODY, "2001:db8:1:2::1").status()).isEqualTo(401);
        assertThat(login(NOBODY, "2001:db8:1:2::ffff").status()).isEqualTo(401);
        assertThat(login(NOBODY, "2001:db8:1:2:abcd:ef01:2345:6789").status()).isEqualTo(401);
        assertThat(login(NOBODY, "2001:db8:1:2:1::1").status()).as("fourth address of the same /64").isEqualTo(429);
        assertThat(login(NOBODY, "2001:db8:1:3::1").status()).as("the next /64").isEqualTo(401);
    }

    @Test
    void failedSignInsPerAccountAreCappedWithoutLockingTheOperatorOut() {
        // two clients make the account's five failures (each within its own per-minute allowance of 3)
        for (int i = 0; i < 3; i++) {
            assertThat(login(WRONG, "203.0.113.20").status()).isEqualTo(401);
        }
        for (int i = 0; i < 2; i++) {
            assertThat(login(WRONG, "203.0.113.21").status()).isEqualTo(401);
        }
        // past the cap a client that failed is refused for this account, even with the right password
        Answer capped = login(RIGHT, "203.0.113.21");
        assertThat(capped.status()).isEqualTo(429);
        assertThat(capped.body().get("error").asString()).contains("too many failed sign-ins for this account");
        assertThat(Long.parseLong(capped.raw().headers().firstValue("Retry-After").orElseThrow()))
                .isBetween(1L, 3600L);

        // a client without a failure is still heard: one wrong guess, and it is refused too
        assertThat(login(WRONG, "203.0.113.22").status()).isEqualTo(401);
        assertThat(login(RIGHT, "203.0.113.22").status()).isEqualTo(429);

        // the operator, whose client has not failed, signs in
        assertThat(login(RIGHT, "203.0.113.23").status()).isEqualTo(200);
        // the cap is per account: another account is not refused for it
        assertThat(login(NOBODY, "203.0.113.22").status()).isEqualTo(401);
    }

    private Answer login(String body, String forwardedFor) {
        return send("POST", "/api/auth/login", body, "X-Forwarded-For", forwardedFor);
    }

    private RawHttp.Response directLogin(String forwardedFor) throws Exception {
        byte[] body = NOBODY.getBytes(StandardCharsets.UTF_8);
        return RawHttp.send("127.0.0.2", port, "POST /api/auth/login HTTP/1.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\nX-Forwarded-For: " + forwardedFor, body);
    }
}
