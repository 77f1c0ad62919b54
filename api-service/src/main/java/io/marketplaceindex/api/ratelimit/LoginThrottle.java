package io.marketplaceindex.api.ratelimit;

import io.marketplaceindex.api.cache.CacheProperties;
import io.marketplaceindex.api.cache.SharedRedis;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * Two bounds on guessing a password, both counted in Redis (shared by replicas):
 * <ul>
 * <li>sign-in attempts per client per minute ({@code marketplace.rate-limit.login-per-minute}), right
 *     or wrong: one client cannot guess at the speed of the network;</li>
 * <li>failed sign-ins per account per hour from all clients together
 *     ({@code marketplace.rate-limit.login-failures-per-account-per-hour}): many clients cannot either.
 *     Past that cap a client that failed within the hour is refused for that account, but a client
 *     without a failure may still try. The trade-off, on purpose: nobody, from one address or many,
 *     can lock the operator out (their own client has not failed), at the price that each further
 *     address gets one guess per hour, instead of the per-minute allowance, while the cap holds.</li>
 * </ul>
 */
@Component
@ConditionalOnWebApplication
public class LoginThrottle {

    private static final Duration HOUR = Duration.ofHours(1);

    private final RateLimitProperties properties;
    private final RateLimiter attempts;
    private final RateLimiter accountFailures;
    /** Limit 1: a client is "clean" while it has no failed sign-in in the window. */
    private final RateLimiter clientFailures;

    LoginThrottle(RateLimitProperties properties, CacheProperties cache, Clock clock, SharedRedis redis) {
        this.properties = properties;
        this.attempts = new RateLimiter("login", properties.loginPerMinute(), cache, clock, redis);
        this.accountFailures = new RateLimiter("login-account-failures", properties.loginFailuresPerAccountPerHour(),
                HOUR, cache, clock, redis);
        this.clientFailures = new RateLimiter("login-client-failures", 1, HOUR, cache, clock, redis);
    }

    /** Counts this attempt of the client. @return how long the client must wait, when it is over its limit */
    public Optional<Long> refusedForSeconds(HttpServletRequest request) {
        if (properties.loginPerMinute() == 0) {
            return Optional.empty();
        }
        RateLimiter.Decision decision = attempts.hit(ClientAddress.of(request));
        return decision.allowed() ? Optional.empty() : Optional.of(decision.resetSeconds());
    }

    /**
     * @return how long this client must wait before trying this account again, when the account is over
     *         its cap of failures and this client is one of those that failed
     */
    public Optional<Long> accountRefusedForSeconds(HttpServletRequest request, String account) {
        if (properties.loginFailuresPerAccountPerHour() == 0) {
            return Optional.empty();
        }
        RateLimiter.Decision forAccount = accountFailures.peek(accountKey(account));
        if (forAccount.allowed()) {
            return Optional.empty();
        }
        RateLimiter.Decision forClient = clientFailures.peek(ClientAddress.of(request));
        if (forClient.allowed()) {
            return Optional.empty();
        }
        // the client may try again when its own failure has expired or the account's window ended
        return Optional.of(Math.min(forAccount.resetSeconds(), forClient.resetSeconds()));
    }

    /** Records a failed sign-in against the account and the client. */
    public void failed(HttpServletRequest request, String account) {
        if (properties.loginFailuresPerAccountPerHour() == 0) {
            return;
        }
        accountFailures.hit(accountKey(account));
        clientFailures.hit(ClientAddress.of(request));
    }

    /** A fixed-length key whatever was typed as the email: Redis keys stay small. */
    static String accountKey(String account) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(account.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
