package io.marketplaceindex.e2e;

import io.marketplaceindex.simulator.Fault;
import io.marketplaceindex.simulator.SimulatedAgent;
import io.marketplaceindex.simulator.SimulatedRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The walking skeleton end to end: an operator connects two registries over HTTP, the workers
 * index them, the API serves every agent; a registry changes, a rebuild is requested, and the
 * change is visible through the API (its cache busted by the catalog-change event).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CatalogFlowE2EIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private SystemStack stack;
    private Api api;
    private SimulatedRegistry north;
    private SimulatedRegistry south;

    /**
     * A stack of its own: the class counts every registry and agent of the catalog and rebuilds them
     * all, which on the shared stack would depend on which classes ran before it.
     */
    @BeforeAll
    void connectTwoRegistries() {
        stack = SystemStack.start(SystemStack.Options.defaults().withName("e2e_flow"));
        api = new Api(stack.apiUrl());
        north = stack.simulator().addRegistry("north", 120, 21L);
        south = stack.simulator().addRegistry("south", 80, 22L);
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void connectedRegistriesFillTheCatalogWithEveryAgent() {
        for (SimulatedRegistry registry : List.of(north, south)) {
            Api.Answer answer = api.asAdmin("POST", "/api/settings/registries",
                    "{\"name\":\"" + registry.name() + "\",\"url\":\"" + registry.baseUrl() + "\"}");
            assertThat(answer.status()).isEqualTo(202);
            assertThat(answer.body().get("id").asString()).isNotBlank();
        }
        int expected = north.size() + south.size();
        api.awaitCatalog("both registries indexed", Duration.ofSeconds(90),
                page -> page.get("total").asLong() == expected);

        List<JsonNode> agents = api.allAgents("");
        assertThat(agents).hasSize(expected);
        Map<String, SimulatedAgent> truth = new HashMap<>();
        north.agents().forEach(a -> truth.put(north.baseUrl() + "|" + a.handle(), a));
        south.agents().forEach(a -> truth.put(south.baseUrl() + "|" + a.handle(), a));
        for (JsonNode agent : agents) {
            SimulatedAgent source = truth.remove(agent.get("registryUrl").asString() + "|" + agent.get("handle").asString());
            assertThat(source).as("agent %s", agent).isNotNull();
            assertThat(agent.get("name").asString()).isEqualTo(source.name());
            assertThat(agent.get("agentCardUrl").asString()).isEqualTo(source.cardUrl());
            assertThat(agent.get("registryName").asString()).isIn(north.name(), south.name());
            assertThat(agent.get("registryId").asString()).isNotBlank();
            List<String> tags = new java.util.ArrayList<>();
            agent.get("tags").forEach(t -> tags.add(t.asString()));
            assertThat(tags).isEqualTo(source.tags());
        }
        assertThat(truth).isEmpty();

        JsonNode registries = api.asAdmin("GET", "/api/settings/registries", null).body().get("data");
        assertThat(registries).hasSize(2);
        registries.forEach(r -> {
            assertThat(r.get("lastSyncStatus").asString()).isEqualTo("ok");
            assertThat(r.get("enabled").asBoolean()).isTrue();
            assertThat(r.has("authToken")).isFalse();
            assertThat(r.get("createdAt").isNull()).isFalse();
        });
    }

    @Test
    @Order(2)
    void aChangedRegistryIsVisibleAfterARebuild() {
        // warm the cache with the current answers
        String renamed = north.handles().get(3);
        String northPage = "/api/marketplace?limit=200&registryUrl=" + north.baseUrl();
        JsonNode before = api.get(northPage).body();
        JsonNode again = api.get(northPage).body();
        // a commit trailing the previous test's rebuild may still move the generation (and the cache keys)
        for (int tries = 0; tries < 5 && generationOf(again) != generationOf(before); tries++) {
            before = again;
            again = api.get(northPage).body();
        }
        assertThat(again.get("meta").get("cache").asString()).isEqualTo("hit");
        long generation = generationOf(before);

        north.updateAgent(renamed, "Renamed By The Registry");
        String removed = north.handles().get(7);
        north.removeAgent(removed);
        north.addAgent("late-arrival.north", "Late Arrival");

        Api.Answer rebuild = api.asAdmin("POST", "/api/marketplace/index-rebuild", null);
        assertThat(rebuild.status()).isEqualTo(202);
        assertThat(rebuild.body().get("registries")).hasSize(2);
        String rebuildId = rebuild.body().get("rebuildId").asString();

        api.awaitCatalog("the change to reach the API", Duration.ofSeconds(60),
                page -> page.get("meta").get("generation").asLong() > generation
                        && api.get("/api/marketplace?q=renamed%20by%20the%20registry").body().get("total").asLong() == 1);
        assertThat(api.get("/api/marketplace?q=late%20arrival").body().get("total").asLong()).isEqualTo(1);
        List<String> northHandles = api.allAgents("registryUrl=" + north.baseUrl()).stream()
                .map(a -> a.get("handle").asString()).toList();
        assertThat(northHandles).doesNotContain(removed).contains("late-arrival.north").hasSize(north.size());

        JsonNode progress = awaitProgress(rebuildId, 2);
        List<String> statuses = new java.util.ArrayList<>();
        progress.get("registries").forEach(r -> statuses.add(r.get("status").asString()));
        assertThat(statuses).containsExactlyInAnyOrder("ok", "unchanged");
    }

    @Test
    @Order(3)
    void badOperatorInputIsRefusedAndNothingIsHalfCreated() {
        Api.Answer notHttp = api.asAdmin("POST", "/api/settings/registries",
                "{\"name\":\"x\",\"url\":\"file:///etc/passwd\"}");
        assertThat(notHttp.status()).isEqualTo(400);
        Api.Answer duplicate = api.asAdmin("POST", "/api/settings/registries",
                "{\"name\":\"again\",\"url\":\"" + north.baseUrl() + "/\"}");
        assertThat(duplicate.status()).isEqualTo(409);
        Api.Answer unreachable = api.asAdmin("POST", "/api/settings/registries",
                "{\"name\":\"gone\",\"url\":\"http://127.0.0.1:9/registry\"}");
        assertThat(unreachable.status()).isEqualTo(422);
        assertThat(unreachable.body().get("error").asString()).contains("health check failed");
        SystemStack.sleep(1500);
        assertThat(api.asAdmin("GET", "/api/settings/registries", null).body().get("data")).hasSize(2);
        assertThat(api.get("/api/settings/registries").status()).isEqualTo(401);
        assertThat(api.get("/api/marketplace/index-rebuild/" + java.util.UUID.randomUUID()).status()).isEqualTo(401);
    }

    @Test
    @Order(4)
    void theIndexSyncCommandLineRebuildsThroughTheApiAndReportsProgress() {
        north.updateAgent(north.handles().get(11), "Changed For The Command Line");
        SystemStack.CommandResult result = stack.indexSync("--timeout=PT2M");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.stdout()).contains("requested for 2 registries").contains("2/2 registries finished (0 failed)")
                .contains("north").contains("south");
        api.awaitCatalog("the CLI's rebuild visible", Duration.ofSeconds(30),
                page -> api.get("/api/marketplace?q=changed%20for%20the%20command").body().get("total").asLong() == 1);

        String northId = registryId("north");
        String southId = registryId("south");
        SystemStack.CommandResult json = stack.indexSync("--json", "--timeout=120", "--registry=" + southId);
        assertThat(json.exitCode()).as(json.output()).isZero();
        JsonNode document = JSON.readTree(json.stdout());
        assertThat(document.get("rebuildId").asString()).isNotBlank();
        assertThat(document.get("outcome").asString()).isEqualTo("succeeded");
        assertThat(document.get("registries")).hasSize(1);
        assertThat(document.get("registries").get(0).get("id").asString()).isEqualTo(southId);
        assertThat(document.get("registries").get(0).get("status").asString()).isNotIn("failed", "queued", "syncing");

        // a registry that cannot be listed fails its line; the other one still succeeds
        north.setFault(Fault.status(Fault.Target.listing(), 404));
        try {
            SystemStack.CommandResult failed = stack.indexSync("--json", "--timeout=PT2M");
            assertThat(failed.exitCode()).as(failed.output()).isEqualTo(1);
            assertThat(failed.stderr()).contains("failed: registry north (" + northId + ")").doesNotContain("south");
            Map<String, String> statuses = new HashMap<>();
            JSON.readTree(failed.stdout()).get("registries")
                    .forEach(r -> statuses.put(r.get("id").asString(), r.get("status").asString()));
            assertThat(statuses).containsEntry(northId, "failed").containsKey(southId);
            assertThat(statuses.get(southId)).isNotIn("failed", "queued", "syncing");
        } finally {
            north.clearFaults();
        }
        SystemStack.CommandResult healed = stack.indexSync("--registry", northId, "--timeout=PT2M");
        assertThat(healed.exitCode()).as(healed.output()).isZero();

        SystemStack.CommandResult unknown = stack.indexSync("--registry=" + java.util.UUID.randomUUID());
        assertThat(unknown.exitCode()).as(unknown.output()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("(400)").contains("unknown or disabled");

        SystemStack.CommandResult notAnId = stack.indexSync("--registry=north");
        assertThat(notAnId.exitCode()).as(notAnId.output()).isEqualTo(2);
        assertThat(notAnId.stderr()).contains("--registry").contains("'north'");
        assertThat(result.output() + json.output() + unknown.output()).doesNotContain(SystemStack.ADMIN_TOKEN);
    }

    private String registryId(String name) {
        for (JsonNode registry : api.asAdmin("GET", "/api/settings/registries", null).body().get("data")) {
            if (name.equals(registry.get("name").asString())) {
                return registry.get("id").asString();
            }
        }
        throw new AssertionError("no registry named " + name);
    }

    private static long generationOf(JsonNode page) {
        return page.get("meta").get("generation").asLong();
    }

    private JsonNode awaitProgress(String rebuildId, int registries) {
        return api.awaitAdmin("the rebuild to finish", Duration.ofSeconds(30), "/api/marketplace/index-rebuild/" + rebuildId,
                answer -> answer.body().get("finished").asInt() == registries).body();
    }
}
