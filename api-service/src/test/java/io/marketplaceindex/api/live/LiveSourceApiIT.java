package io.marketplaceindex.api.live;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.RegistryRef;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.cache.CacheProperties;
import io.marketplaceindex.api.cache.SharedRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.marketplaceindex.api.cache.CatalogGeneration;
import io.marketplaceindex.registry.RegistryUrls;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.testsupport.CatalogSeeder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** source=live: every read comes from the live catalog, shared by replicas through Redis, capped in size. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestPropertySource(properties = {"marketplace.catalog.source=live", "marketplace.catalog.live.max-agents=30"})
class LiveSourceApiIT extends ApiTestSupport {

    @Autowired
    CatalogGeneration generation;
    @Autowired
    LiveRegistryRepository registries;
    @Autowired
    LiveCatalogBuilder builder;
    @Autowired
    LiveCatalogProperties properties;
    @Autowired
    CacheProperties cacheProperties;
    @Autowired
    JsonMapper json;
    @Autowired
    Clock clock;
    @Autowired
    RedisConnectionFactory redis;

    private RegistrySimulator simulator;
    private SimulatedRegistry east;
    private SimulatedRegistry west;

    @BeforeAll
    void registries() {
        simulator = RegistrySimulator.start(SimulatorOptions.defaults());
        east = simulator.addRegistry("live-east", 25, 41L);
        west = simulator.addRegistry("live-west", 20, 42L);
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            UUID eastId = seeder.registry("East", RegistryUrls.normalize(east.baseUrl()));
            seeder.registry("West", RegistryUrls.normalize(west.baseUrl()));
            // a non-empty index: with source=live it is not read for the catalog
            ObjectNode record = JSON.createObjectNode().put("handle", "indexed-only").put("agentCardUrl",
                    east.baseUrl() + "/cards/indexed-only");
            seeder.agents(eastId, List.of(new AgentNormalizer().normalize(record, null,
                    new RegistryRef(eastId.toString(), "East", RegistryUrls.normalize(east.baseUrl()))).orElseThrow()));
        }
        generation.poll();
    }

    @AfterAll
    void stop() {
        simulator.close();
    }

    @Test
    void answersFromTheLiveCatalogCappedInSizeAndSharedThroughRedis() {
        JsonNode body = get("/api/marketplace?limit=200").body();
        JsonNode meta = body.get("meta");
        assertThat(meta.get("catalog").asString()).isEqualTo("redis");
        assertThat(meta.get("truncated").asBoolean()).isTrue();
        assertThat(meta.get("maxAgents").asInt()).isEqualTo(30);
        assertThat(body.get("total").asLong()).isEqualTo(30);
        assertThat(body.get("data")).hasSize(30);
        int fromSources = 0;
        for (JsonNode source : meta.get("sources")) {
            assertThat(source.get("ok").asBoolean()).isTrue();
            fromSources += source.get("agentCount").asInt();
        }
        assertThat(fromSources).isEqualTo(30);
        body.get("data").forEach(a -> assertThat(a.get("handle").asString()).isNotEqualTo("indexed-only"));

        // The catalog lives in Redis under the cache prefix, and the rebuild lock is gone.
        StringRedisTemplate keys = new StringRedisTemplate(redis);
        Set<String> stored = keys.keys(cacheProperties.keyPrefix() + "live:catalog:*");
        assertThat(stored).anyMatch(k -> k.endsWith(":stale"))
                .anyMatch(k -> !k.endsWith(":stale") && !k.endsWith(":lock"))
                .noneMatch(k -> k.endsWith(":lock"));

        // Another replica (a store of its own, same Redis) serves that catalog without asking any registry.
        long requests = east.requestCount() + west.requestCount();
        LiveCatalogStore otherReplica = new LiveCatalogStore(registries, builder, properties, cacheProperties, json,
                clock, new SharedRedis(redis, cacheProperties, new SimpleMeterRegistry()));
        LiveCatalogStore.Served served = otherReplica.current(generation.current());
        assertThat(served.status()).isEqualTo(LiveCatalogStore.Status.HIT);
        assertThat(served.index().snapshot().agents()).hasSize(30);
        assertThat(east.requestCount() + west.requestCount()).isEqualTo(requests);
        assertThat(get("/api/marketplace?limit=1").body().get("meta").get("cache").asString()).isEqualTo("hit");
    }
}
