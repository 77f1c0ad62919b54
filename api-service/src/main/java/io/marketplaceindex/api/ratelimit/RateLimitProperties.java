package io.marketplaceindex.api.ratelimit;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The limit on anonymous catalog reads ({@code GET /api/marketplace/**}); callers signed in or with
 * a bearer token are never limited. A client is its remote address (see {@link ClientAddress}); behind
 * a proxy, set {@code server.tomcat.remoteip.internal-proxies} to the proxy's address.
 *
 * @param anonymousPerMinute             requests per client per minute; 0 turns the limit off
 * @param trustForwardedFor              no longer read: refused when set, so that a deployment relying on it
 *                                       learns at start-up that the proxy is now configured by address
 * @param loginPerMinute                 sign-in attempts ({@code POST /api/auth/login}) per client per minute,
 *                                       right or wrong, so that the admin password cannot be guessed at full
 *                                       speed; 0 turns it off
 * @param loginFailuresPerAccountPerHour failed sign-ins per account per hour, from all clients together;
 *                                       past it, only clients without a failed sign-in in the last hour may
 *                                       still try that account; 0 turns it off
 */
@ConfigurationProperties("marketplace.rate-limit")
public record RateLimitProperties(@DefaultValue("60") int anonymousPerMinute,
                                  @DefaultValue("false") boolean trustForwardedFor,
                                  @DefaultValue("10") int loginPerMinute,
                                  @DefaultValue("100") int loginFailuresPerAccountPerHour) {

    public RateLimitProperties {
        if (anonymousPerMinute < 0) {
            throw new IllegalArgumentException("marketplace.rate-limit.anonymous-per-minute must be 0 (off) or more");
        }
        if (trustForwardedFor) {
            throw new IllegalArgumentException("marketplace.rate-limit.trust-forwarded-for is no longer supported: "
                    + "set server.tomcat.remoteip.internal-proxies to the address of the proxy in front of this "
                    + "service instead (X-Forwarded-For is then read from it alone)");
        }
        if (loginPerMinute < 0) {
            throw new IllegalArgumentException("marketplace.rate-limit.login-per-minute must be 0 (off) or more");
        }
        if (loginFailuresPerAccountPerHour < 0) {
            throw new IllegalArgumentException(
                    "marketplace.rate-limit.login-failures-per-account-per-hour must be 0 (off) or more");
        }
    }

    public boolean enabled() {
        return anonymousPerMinute > 0;
    }
}
