package io.marketplaceindex.api.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers cached in Redis as the exact bytes sent to clients. A burst of identical misses runs
 * the query once (single flight, per replica). When Redis fails the API keeps answering from
 * PostgreSQL and says so; Redis is retried after a pause rather than on every request ({@link SharedRedis}).
 * <p>
 * Each replica also keeps recent answers in its own memory, in front of Redis: a hot page then costs
 * no network round trip and no copy of its bytes out of Redis. Keys carry the catalog generation,
 * so a local copy can never be stale; it expires with the same lifetime as the Redis entry.
 */
@Component
public class ResponseCache {

    public enum Status {
        HIT("hit"), MISS("miss"), BYPASS("bypass: redis unavailable");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * What a miss produces: the bytes for this client and the bytes to store (labelled as a hit).
     *
     * @param provisional the answer will soon be improved (an estimated total whose exact count is
     *                    on its way): it is kept only for {@code marketplace.cache.provisional-ttl}
     */
    public record Computed(byte[] forClient, byte[] forCache, boolean provisional) {
        public Computed(byte[] forClient, byte[] forCache) {
            this(forClient, forCache, false);
        }
    }

    private record Entry(byte[] body, Duration ttl, boolean provisional) {
    }

    /** @param provisional it was computed as {@link Computed#provisional()}: a client must not keep it as current */
    public record Answer(byte[] body, Status status, boolean provisional) {
    }

    private final SharedRedis redis;
    private final CacheProperties properties;
    private final ConcurrentHashMap<String, CompletableFuture<Computed>> inFlight = new ConcurrentHashMap<>();
    /** null when disabled ({@code marketplace.cache.local-max-size=0}) */
    private final Cache<String, Entry> local;
    private final TierMeters localTier;
    private final TierMeters redisTier;

    /**
     * Lookups of one tier by result: {@code marketplace.cache.requests{tier, result}}. "unavailable"
     * counts the Redis lookups skipped or failed while Redis is down (answered from PostgreSQL).
     */
    private record TierMeters(Counter hit, Counter miss, Counter unavailable) {
        static TierMeters register(MeterRegistry meters, String tier) {
            return new TierMeters(counter(meters, tier, "hit"), counter(meters, tier, "miss"),
                    counter(meters, tier, "unavailable"));
        }

        private static Counter counter(MeterRegistry meters, String tier, String result) {
            return Counter.builder("marketplace.cache.requests")
                    .description("Lookups of cached answers by tier (local memory, Redis) and result")
                    .tag("tier", tier)
                    .tag("result", result)
                    .register(meters);
        }
    }

    public ResponseCache(SharedRedis redis, CacheProperties properties, MeterRegistry meters) {
        this.redis = redis;
        this.properties = properties;
        long localBytes = properties.localMaxSize().toBytes();
        this.local = localBytes <= 0 ? null : Caffeine.newBuilder()
                .maximumWeight(localBytes)
                .weigher((String key, Entry entry) -> key.length() * 2 + entry.body().length)
                .expireAfter(Expiry.creating((String key, Entry entry) -> entry.ttl()))
                .build();
        this.localTier = TierMeters.register(meters, "local");
        this.redisTier = TierMeters.register(meters, "redis");
    }

    /**
     * @param key     identifies the answer, including the catalog generation it was built for
     * @param compute runs on a miss; its {@code forCache} bytes are stored
     */
    public Answer get(String key, Builder compute) {
        String redisKey = properties.keyPrefix() + key;
        if (local != null) {
            Entry nearby = local.getIfPresent(redisKey);
            if (nearby != null) {
                localTier.hit().increment();
                return new Answer(nearby.body(), Status.HIT, nearby.provisional());
            }
            localTier.miss().increment();
        }
        Lookup lookup = redis.call(() -> read(redisKey), () -> Lookup.UNAVAILABLE);
        boolean redisUp = lookup.redisAnswered();
        if (lookup.value() != null) {
            redisTier.hit().increment();
            // its remaining lifetime in Redis is unknown here; a provisional one is the safe bound
            keepLocally(redisKey, lookup.value(), properties.provisionalLifetime(), lookup.provisional());
            return new Answer(lookup.value(), Status.HIT, lookup.provisional());
        }
        (redisUp ? redisTier.miss() : redisTier.unavailable()).increment();
        Status status = redisUp ? Status.MISS : Status.BYPASS;
        CompletableFuture<Computed> mine = new CompletableFuture<>();
        CompletableFuture<Computed> running = inFlight.putIfAbsent(redisKey, mine);
        if (running != null) {
            Computed theirs = running.join();
            return new Answer(theirs.forClient(), status, theirs.provisional());
        }
        try {
            Computed computed = compute.apply(status);
            if (redisUp) {
                Duration ttl = computed.provisional() ? properties.provisionalLifetime() : properties.ttl();
                String storedKey = computed.provisional() ? provisionalKey(redisKey) : redisKey;
                redis.run(() -> redis.bytes().opsForValue().set(storedKey, computed.forCache(), ttl));
                // only what Redis holds too: an answer built while Redis is down says "bypass"
                keepLocally(redisKey, computed.forCache(), ttl, computed.provisional());
            }
            mine.complete(computed);
            return new Answer(computed.forClient(), status, computed.provisional());
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(redisKey, mine);
        }
    }

    private void keepLocally(String redisKey, byte[] body, Duration ttl, boolean provisional) {
        if (local != null) {
            local.put(redisKey, new Entry(body, ttl, provisional));
        }
    }

    /**
     * Where a provisional answer lives in Redis, beside its key: which of the two a read finds tells
     * whether the answer is provisional, without a format of its own for the stored bytes.
     */
    private static String provisionalKey(String redisKey) {
        return redisKey + "~provisional";
    }

    /** Builds the answer for a given cache status. */
    @FunctionalInterface
    public interface Builder {
        Computed apply(Status status);
    }

    /** @param value null on a miss */
    private record Lookup(boolean redisAnswered, byte[] value, boolean provisional) {
        static final Lookup UNAVAILABLE = new Lookup(false, null, false);
    }

    /** The answer under the key, else a provisional one beside it: one round trip for both. */
    private Lookup read(String key) {
        List<byte[]> values = redis.bytes().opsForValue().multiGet(List.of(key, provisionalKey(key)));
        if (values == null) {
            return new Lookup(true, null, false);
        }
        return values.get(0) != null ? new Lookup(true, values.get(0), false)
                : new Lookup(true, values.get(1), values.get(1) != null);
    }
}
