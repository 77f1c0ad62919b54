package io.marketplaceindex.api.live;

import io.marketplaceindex.api.cache.CacheProperties;
import io.marketplaceindex.api.cache.SharedRedis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Where the live catalog lives: built at most once per ttl across all replicas, shared through Redis.
 *
 * <p>Keys (under the cache key prefix): {@code live:catalog:<digest>} holds the current catalog
 * (gzip JSON) for ttl; {@code ...:stale} the same bytes for stale-ttl, for replicas to answer with
 * while another rebuilds; {@code ...:lock} is taken with SET NX PX by the one replica that rebuilds.
 * The digest names the set of enabled registries (ids, names, URLs), so connecting, disabling or
 * removing a registry starts a new catalog (a replica re-reads the registries when its own copy
 * expires or the catalog generation moves).
 *
 * <p>Each replica also keeps the parsed catalog in memory until it expires, so a request costs no
 * Redis round trip and no parsing. When Redis fails, every replica builds and keeps its own catalog
 * (so up to one fan-out per replica per ttl) and answers say {@code bypass: redis unavailable}, for
 * as long as the circuit of {@link SharedRedis} is open.
 */
@Component
class LiveCatalogStore {

    private static final Logger log = LoggerFactory.getLogger(LiveCatalogStore.class);
    private static final Duration POLL = Duration.ofMillis(100);
    /** Beyond the longest a build can take, so a crashed replica's lock cannot outlive it for long. */
    private static final Duration LOCK_MARGIN = Duration.ofSeconds(10);
    private static final RedisScript<Long> RELEASE = new DefaultRedisScript<>(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end",
            Long.class);

    /** How the served catalog was obtained; the label is meta.cache. */
    enum Status {
        HIT("hit"), MISS("miss"), STALE("stale: rebuilding"), BYPASS("bypass: redis unavailable");

        final String label;

        Status(String label) {
            this.label = label;
        }
    }

    record Served(LiveIndex index, Status status) {
    }

    private record Local(LiveIndex index, Instant freshUntil, long generation) {
    }

    private final LiveRegistryRepository registries;
    private final LiveCatalogBuilder builder;
    private final LiveCatalogProperties properties;
    private final CacheProperties cache;
    private final JsonMapper json;
    private final Clock clock;
    private final SharedRedis redis;
    private final AtomicReference<Local> local = new AtomicReference<>();
    /** One refresh per replica at a time; the others answer with the previous catalog or wait for it. */
    private final ReentrantLock refreshing = new ReentrantLock();

    LiveCatalogStore(LiveRegistryRepository registries, LiveCatalogBuilder builder, LiveCatalogProperties properties,
                     CacheProperties cache, JsonMapper json, Clock clock, SharedRedis redis) {
        this.registries = registries;
        this.builder = builder;
        this.properties = properties;
        this.cache = cache;
        this.json = json;
        this.clock = clock;
        this.redis = redis;
    }

    /**
     * @param generation the catalog generation now: when it moved (a worker committed something, a
     *                   registry may have been connected or removed) the registry set is read again,
     *                   and a catalog built from another set is not served as fresh
     */
    Served current(long generation) {
        Local mine = local.get();
        if (mine != null && isFresh(mine) && mine.generation() == generation) {
            return new Served(mine.index(), Status.HIT);
        }
        if (mine != null) {
            if (!refreshing.tryLock()) {
                return new Served(mine.index(), Status.STALE);
            }
        } else {
            refreshing.lock();
        }
        try {
            Local now = local.get();
            if (now != null && isFresh(now) && now.generation() == generation) {
                return new Served(now.index(), Status.HIT);
            }
            List<LiveRegistry> enabled = registries.enabled();
            String digest = digest(enabled);
            if (now != null && isFresh(now) && now.index().snapshot().registryDigest().equals(digest)) {
                local.set(new Local(now.index(), now.freshUntil(), generation));
                return new Served(now.index(), Status.HIT);
            }
            return refresh(now, enabled, digest, generation);
        } finally {
            refreshing.unlock();
        }
    }

    /** The catalog asked for: the enabled registries, their digest, its Redis key and the generation now. */
    private record Wanted(List<LiveRegistry> enabled, String digest, String key, long generation) {
    }

    private Served refresh(Local previous, List<LiveRegistry> enabled, String digest, long generation) {
        Wanted wanted = new Wanted(enabled, digest, cache.keyPrefix() + "live:catalog:" + digest, generation);
        Served shared = redis.call(() -> refreshShared(previous, wanted), () -> null);
        if (shared != null) {
            return shared;
        }
        LiveIndex built = new LiveIndex(builder.build(enabled, digest));
        keep(built, generation);
        return new Served(built, Status.BYPASS);
    }

    private Served refreshShared(Local previous, Wanted wanted) {
        LiveIndex shared = read(wanted.key());
        if (shared != null) {
            keep(shared, wanted.generation());
            return new Served(shared, Status.HIT);
        }
        String lockKey = wanted.key() + ":lock";
        String token = UUID.randomUUID().toString();
        Boolean locked = redis.strings().opsForValue().setIfAbsent(lockKey, token, lockTtl(wanted.enabled().size()));
        if (Boolean.TRUE.equals(locked)) {
            return buildLocked(wanted, lockKey, token);
        }
        // Another replica is building: answer with the previous catalog if there is one...
        if (previous != null) {
            return new Served(previous.index(), Status.STALE);
        }
        LiveIndex stale = read(wanted.key() + ":stale");
        if (stale != null) {
            // kept only briefly, so that this replica picks up the new catalog as soon as it is there
            local.set(new Local(stale, clock.instant().plus(POLL), wanted.generation()));
            return new Served(stale, Status.STALE);
        }
        return awaitOtherReplica(wanted, lockKey);
    }

    /** Builds the catalog while holding the lock, shares it and releases the lock. */
    private Served buildLocked(Wanted wanted, String lockKey, String token) {
        LiveIndex built;
        try {
            built = new LiveIndex(builder.build(wanted.enabled(), wanted.digest()));
        } catch (RuntimeException e) {
            release(lockKey, token);
            throw e;
        }
        keep(built, wanted.generation());
        // Redis failing now must not cost the catalog just built: serve it, say so.
        Status status = Status.MISS;
        try {
            write(wanted.key(), built.snapshot());
            release(lockKey, token);
        } catch (DataAccessException e) {
            redis.failed(e);
            status = Status.BYPASS;
        }
        return new Served(built, status);
    }

    /**
     * ...or waits for the replica holding the lock a little; past that, builds one here rather than keep
     * the client waiting on a replica that may have died (its lock expires on its own).
     */
    private Served awaitOtherReplica(Wanted wanted, String lockKey) {
        Instant giveUp = clock.instant().plus(properties.lockWait());
        while (clock.instant().isBefore(giveUp)) {
            sleep(POLL);
            LiveIndex shared = read(wanted.key());
            if (shared != null) {
                keep(shared, wanted.generation());
                return new Served(shared, Status.HIT);
            }
        }
        log.warn("live catalog: no catalog from the replica holding {} within {}; building one here", lockKey,
                properties.lockWait());
        LiveIndex built = new LiveIndex(builder.build(wanted.enabled(), wanted.digest()));
        keep(built, wanted.generation());
        Status status = Status.MISS;
        try {
            write(wanted.key(), built.snapshot());
        } catch (DataAccessException e) {
            redis.failed(e);
            status = Status.BYPASS;
        }
        return new Served(built, status);
    }

    private void release(String lockKey, String token) {
        try {
            redis.strings().execute(RELEASE, List.of(lockKey), token);
        } catch (DataAccessException e) {
            // the lock expires on its own (PX); other replicas wait at most that long
            log.warn("live catalog: could not release {}: {}", lockKey, e.getMessage());
        }
    }

    private void keep(LiveIndex index, long generation) {
        // Fresh until the shared copy expires, so replicas that loaded it at different times stay in step.
        Instant expires = index.snapshot().builtAt().plus(properties.ttl());
        Instant floor = clock.instant().plus(POLL);
        local.set(new Local(index, expires.isAfter(floor) ? expires : floor, generation));
    }

    private boolean isFresh(Local entry) {
        return clock.instant().isBefore(entry.freshUntil());
    }

    /** Long enough for the slowest build the budgets allow. */
    private Duration lockTtl(int registryCount) {
        long rounds = Math.max(1, (registryCount + properties.maxRegistriesInFlight() - 1)
                / properties.maxRegistriesInFlight());
        return properties.registryBudget().multipliedBy(rounds).plus(LOCK_MARGIN);
    }

    private LiveIndex read(String key) {
        byte[] bytes = redis.bytes().opsForValue().get(key);
        if (bytes == null) {
            return null;
        }
        try {
            return new LiveIndex(decode(bytes));
        } catch (RuntimeException e) {
            // e.g. written by an incompatible version during a rolling upgrade: rebuild rather than fail
            log.warn("live catalog: ignored an unreadable entry {}: {}", key, e.getMessage());
            return null;
        }
    }

    private void write(String key, LiveSnapshot snapshot) {
        byte[] bytes = encode(snapshot);
        redis.bytes().opsForValue().set(key, bytes, properties.ttl());
        redis.bytes().opsForValue().set(key + ":stale", bytes, properties.ttl().plus(properties.staleTtl()));
    }

    byte[] encode(LiveSnapshot snapshot) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gzip = new GZIPOutputStream(out)) {
            json.writeValue(gzip, snapshot);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    LiveSnapshot decode(byte[] bytes) {
        try (InputStream gzip = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return json.readValue(gzip, LiveSnapshot.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names the registry set without its tokens: ids, names and URLs of the enabled registries. */
    static String digest(List<LiveRegistry> enabled) {
        StringBuilder text = new StringBuilder();
        for (LiveRegistry r : enabled) {
            text.append(r.id()).append('\u001f').append(r.name()).append('\u001f').append(r.url()).append('\n');
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the live catalog", e);
        }
    }
}
