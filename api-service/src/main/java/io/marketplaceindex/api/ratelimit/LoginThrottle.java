package io.marketplaceindex.api.ratelimit;

import io.marketplaceindex.api.cache.CacheProperties;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.Optional;

/**
 * Sign-in attempts per client per minute ({@code marketplace.rate-limit.login-per-minute}), right or
 * wrong, counted like the anonymous limit (shared by replicas through Redis): the admin password
 * cannot be guessed at the speed of the network.
 */
@Component
@ConditionalOnWebApplication
public class LoginThrottle {

    private final RateLimitProperties properties;
    private final RateLimiter attempts;

    LoginThrottle(RateLimitProperties properties, CacheProperties cache, Clock clock, RedisConnectionFactory connections) {
        this.properties = properties;
        this.attempts = new RateLimiter("login", properties.loginPerMinute(), cache, clock, connections);
    }

    /** @return how long the client must wait, when this attempt is over its limit */
    public Optional<Long> refusedForSeconds(HttpServletRequest request) {
        if (properties.loginPerMinute() == 0) {
            return Optional.empty();
        }
        RateLimiter.Decision decision = attempts.hit(ClientAddress.of(request, properties.trustForwardedFor()));
        return decision.allowed() ? Optional.empty() : Optional.of(decision.resetSeconds());
    }
}
