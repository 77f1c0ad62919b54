package io.marketplaceindex.api.ratelimit;

import io.marketplaceindex.api.cache.CacheProperties;
import io.marketplaceindex.api.cache.SharedRedis;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fixed windows per client (one minute unless given), counted in Redis so that every replica shares them: one
 * Lua script increments the client's counter and, on the window's first request, sets its expiry,
 * atomically, so a counter can never be left without one. When Redis fails, requests are not
 * refused for it: each replica counts in its own memory until Redis answers again (so a client
 * spreading requests over N replicas gets up to N times the limit meanwhile); the circuit of
 * {@link SharedRedis} decides when, for every limit and the caches at once.
 */
public class RateLimiter {

    static final Duration WINDOW = Duration.ofMinutes(1);
    /** Bounds the fallback's memory: past it, expired windows are purged, and new clients pass uncounted. */
    static final int MAX_LOCAL_CLIENTS = 100_000;

    /** KEYS[1] counter; ARGV[1] window in ms. Returns {count, ms until the window ends}. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final RedisScript<List> HIT = new DefaultRedisScript<>("""
            local count = redis.call('INCR', KEYS[1])
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl < 0 then
              redis.call('PEXPIRE', KEYS[1], ARGV[1])
              ttl = tonumber(ARGV[1])
            end
            return {count, ttl}
            """, List.class);

    /** KEYS[1] counter. Returns {count, ms until the window ends}; {0, 0} when there is no window. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final RedisScript<List> PEEK = new DefaultRedisScript<>("""
            local count = tonumber(redis.call('GET', KEYS[1]) or '0')
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl < 0 then
              ttl = 0
            end
            return {count, ttl}
            """, List.class);

    /**
     * @param allowed   whether this request is within the limit
     * @param remaining requests left in the window after this one
     * @param resetIn   time until the window ends
     */
    public record Decision(boolean allowed, int limit, int remaining, Duration resetIn) {
        /** Whole seconds until the window ends, at least one: what Retry-After and X-RateLimit-Reset say. */
        public long resetSeconds() {
            return Math.max(1, (resetIn.toMillis() + 999) / 1000);
        }
    }

    private record LocalWindow(Instant end, int count) {
    }

    private final int limit;
    private final Duration window;
    private final String keyPrefix;
    private final Clock clock;
    private final SharedRedis redis;
    private final Map<String, LocalWindow> local = new ConcurrentHashMap<>();

    /** @param name what is limited ("anonymous", "login"): its counters are apart from every other limit's */
    public RateLimiter(String name, int limit, CacheProperties cache, Clock clock, SharedRedis redis) {
        this(name, limit, WINDOW, cache, clock, redis);
    }

    public RateLimiter(String name, int limit, Duration window, CacheProperties cache, Clock clock,
                       SharedRedis redis) {
        this.limit = limit;
        this.window = window;
        this.keyPrefix = cache.keyPrefix() + "ratelimit:" + name + ":";
        this.clock = clock;
        this.redis = redis;
    }

    public Decision hit(String client) {
        return redis.call(() -> shared(client), () -> local(client));
    }

    /** Where the client's window stands, without counting a request. */
    public Decision peek(String client) {
        return redis.call(() -> sharedPeek(client), () -> localPeek(client));
    }

    private Decision sharedPeek(String client) {
        List<?> result = redis.strings().execute(PEEK, List.of(key(client)));
        if (result == null || result.size() != 2) {
            throw new IllegalStateException("rate limit script answered " + result);
        }
        return peeked(((Number) result.get(0)).longValue(),
                Duration.ofMillis(Math.max(0, ((Number) result.get(1)).longValue())));
    }

    private Decision localPeek(String client) {
        Instant now = clock.instant();
        LocalWindow current = local.get(client);
        return current == null || !current.end().isAfter(now) ? peeked(0, Duration.ZERO)
                : peeked(current.count(), Duration.between(now, current.end()));
    }

    /** After {@code count} requests: whether one more would be allowed. */
    private Decision peeked(long count, Duration resetIn) {
        return new Decision(count < limit, limit, (int) Math.max(0, limit - count), resetIn);
    }

    /** The Redis key of a client's counter (tests read it). */
    String key(String client) {
        return keyPrefix + client;
    }

    private Decision shared(String client) {
        List<?> result = redis.strings().execute(HIT, List.of(key(client)), String.valueOf(window.toMillis()));
        if (result == null || result.size() != 2) {
            throw new IllegalStateException("rate limit script answered " + result);
        }
        long count = ((Number) result.get(0)).longValue();
        long ttlMs = ((Number) result.get(1)).longValue();
        return decision(count, Duration.ofMillis(Math.max(0, ttlMs)));
    }

    private Decision local(String client) {
        Instant now = clock.instant();
        if (local.size() >= MAX_LOCAL_CLIENTS && !local.containsKey(client)) {
            local.values().removeIf(w -> !w.end().isAfter(now));
            if (local.size() >= MAX_LOCAL_CLIENTS) {
                // rather than grow without bound or refuse strangers, let them through uncounted
                return new Decision(true, limit, limit, window);
            }
        }
        LocalWindow current = local.compute(client, (k, w) -> w == null || !w.end().isAfter(now)
                ? new LocalWindow(now.plus(window), 1) : new LocalWindow(w.end(), w.count() + 1));
        return decision(current.count(), Duration.between(now, current.end()));
    }

    private Decision decision(long count, Duration resetIn) {
        boolean allowed = count <= limit;
        int remaining = (int) Math.max(0, limit - count);
        return new Decision(allowed, limit, remaining, resetIn);
    }
}
