package io.marketplaceindex.api.ratelimit;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The limit on anonymous catalog reads ({@code GET /api/marketplace/**}); callers signed in or with
 * a bearer token are never limited.
 *
 * @param anonymousPerMinute requests per client per minute; 0 turns the limit off
 * @param trustForwardedFor  identify the client by the last address of {@code X-Forwarded-For} (the one
 *                           the proxy in front of this service saw) instead of the connection's address;
 *                           turn it on only behind a proxy that sets the header, or any client can pick
 *                           its own identity
 * @param loginPerMinute     sign-in attempts ({@code POST /api/auth/login}) per client per minute, right or
 *                           wrong, so that the admin password cannot be guessed at full speed; 0 turns it off
 */
@ConfigurationProperties("marketplace.rate-limit")
public record RateLimitProperties(@DefaultValue("60") int anonymousPerMinute,
                                  @DefaultValue("false") boolean trustForwardedFor,
                                  @DefaultValue("10") int loginPerMinute) {

    public RateLimitProperties {
        if (anonymousPerMinute < 0) {
            throw new IllegalArgumentException("marketplace.rate-limit.anonymous-per-minute must be 0 (off) or more");
        }
        if (loginPerMinute < 0) {
            throw new IllegalArgumentException("marketplace.rate-limit.login-per-minute must be 0 (off) or more");
        }
    }

    public boolean enabled() {
        return anonymousPerMinute > 0;
    }
}
