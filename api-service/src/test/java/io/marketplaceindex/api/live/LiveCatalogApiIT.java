package io.marketplaceindex.api.live;

import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.cache.CatalogGeneration;
import io.marketplaceindex.api.catalog.CatalogQuery;
import io.marketplaceindex.registry.RegistryUrls;
import io.marketplaceindex.simulator.Fault;
import io.marketplaceindex.simulator.ProofDefect;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatedAgent;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.testsupport.CatalogSeeder;
import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * source=db (the default): an empty index is answered from the registries themselves
 * (db_fallback), with the same query semantics as the index; once rows exist, the index answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveCatalogApiIT extends ApiTestSupport {

    private static final String REGISTRY_TOKEN = "registry-secret-" + UUID.randomUUID();

    @Autowired
    CatalogGeneration generation;

    @Autowired
    LiveCatalogStore store;

    private RegistrySimulator simulator;
    private SimulatedRegistry healthy;
    private SimulatedRegistry failing;
    private UUID healthyId;
    private UUID failingId;

    @BeforeAll
    void registries() throws SQLException {
        simulator = RegistrySimulator.start(SimulatorOptions.defaults());
        healthy = simulator.addRegistry("live-healthy", 45, 31L);
        healthy.setAuthToken(REGISTRY_TOKEN); // the live path must read the token from the registry row
        // record proofs are verified on the live path as the worker verifies them
        healthy.signRecords(true);
        healthy.setProofDefect(healthy.handles().get(4), ProofDefect.TAMPERED);
        healthy.setProofDefect(healthy.handles().get(11), ProofDefect.UNSIGNED);
        failing = simulator.addRegistry("live-failing", 10, 32L);
        failing.setFault(Fault.status(Fault.Target.listing(), 500));
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            healthyId = seeder.registry("Healthy", RegistryUrls.normalize(healthy.baseUrl()));
            failingId = seeder.registry("Failing", RegistryUrls.normalize(failing.baseUrl()));
        }
        try (Connection db = DriverManager.getConnection(DATABASE, TestServices.postgresUser(),
                TestServices.postgresPassword());
             // the simulator guards its cards with the token too: a registry whose operator sends it to cards
             PreparedStatement ps = db.prepareStatement(
                     "UPDATE marketplace_registries SET auth_token = ?, send_token_to_cards = true WHERE id = ?")) {
            // stored as the worker stores it: encrypted; the live path decrypts it for its fetches
            ps.setString(1, io.marketplaceindex.secrets.TokenCipher.of(TOKEN_KEY, null).encrypt(REGISTRY_TOKEN, healthyId));
            ps.setObject(2, healthyId);
            ps.executeUpdate();
        }
        generation.poll();
    }

    @AfterAll
    void stop() {
        simulator.close();
    }

    @Test
    @Order(1)
    void anEmptyIndexIsAnsweredFromTheRegistries() {
        Answer answer = get("/api/marketplace?limit=200");
        assertThat(answer.status()).isEqualTo(200);
        JsonNode body = answer.body();
        JsonNode meta = body.get("meta");
        assertThat(meta.get("catalog").asString()).isEqualTo("db_fallback");
        assertThat(meta.get("registries").asInt()).isEqualTo(2);
        assertThat(meta.get("totalExact").asBoolean()).isTrue();
        assertThat(meta.has("truncated")).isFalse();
        assertThat(body.get("total").asLong()).isEqualTo(healthy.size());

        Map<String, JsonNode> sources = new HashMap<>();
        meta.get("sources").forEach(s -> sources.put(s.get("registryId").asString(), s));
        JsonNode ok = sources.get(healthyId.toString());
        assertThat(ok.get("ok").asBoolean()).isTrue();
        assertThat(ok.get("agentCount").asInt()).isEqualTo(healthy.size());
        assertThat(ok.get("url").asString()).isEqualTo(healthy.baseUrl());
        assertThat(ok.get("fetchMs").isNumber()).isTrue();
        assertThat(ok.has("error")).isFalse();
        JsonNode bad = sources.get(failingId.toString());
        assertThat(bad.get("ok").asBoolean()).isFalse();
        assertThat(bad.get("agentCount").asInt()).isZero();
        assertThat(bad.get("error").asString()).contains("500");

        // every agent of the healthy registry, merged from record and card as the worker would
        Map<String, SimulatedAgent> truth = new HashMap<>();
        healthy.agents().forEach(a -> truth.put(a.handle(), a));
        List<JsonNode> agents = allAgents("");
        assertThat(agents).hasSize(healthy.size());
        List<String> tags = new ArrayList<>();
        for (JsonNode agent : agents) {
            SimulatedAgent source = truth.remove(agent.get("handle").asString());
            assertThat(source).as("agent %s", agent).isNotNull();
            assertThat(agent.get("name").asString()).isEqualTo(source.name());
            assertThat(agent.get("registryId").asString()).isEqualTo(healthyId.toString());
            assertThat(agent.get("registryName").asString()).isEqualTo("Healthy");
            List<String> agentTags = new ArrayList<>();
            agent.get("tags").forEach(t -> agentTags.add(t.asString()));
            assertThat(agentTags).isEqualTo(source.tags());
            tags.addAll(agentTags);
            assertThat(agent.get("proof").get("status").asString()).as(source.handle())
                    .isEqualTo(healthy.expectedProofStatus(source.handle()));
        }
        List<JsonNode> verified = allAgents("verified=true");
        assertThat(verified).hasSize(healthy.size() - 2)
                .allSatisfy(a -> assertThat(a.get("proof").get("status").asString()).isEqualTo("valid"));
        assertThat(truth).isEmpty();
        List<String> metaTags = new ArrayList<>();
        meta.get("tags").forEach(t -> metaTags.add(t.asString()));
        assertThat(metaTags).containsExactlyElementsOf(tags.stream().distinct().sorted().toList());

        // the registry's token is used, never shown
        assertThat(answer.raw().body()).doesNotContain(REGISTRY_TOKEN);
        assertThat(answer.raw().headers().firstValue("ETag")).isPresent();
    }

    @Test
    @Order(2)
    void theLiveCatalogIsFetchedOncePerTtlAndAnswers304() {
        long requests = healthy.requestCount();
        Answer first = get("/api/marketplace?limit=5&sort=handle");
        Answer second = get("/api/marketplace?limit=5&sort=handle");
        assertThat(healthy.requestCount()).isEqualTo(requests);
        assertThat(second.body().get("meta").get("cache").asString()).isEqualTo("hit");
        assertThat(second.body().get("data")).isEqualTo(first.body().get("data"));
        String etag = second.raw().headers().firstValue("ETag").orElseThrow();
        assertThat(get("/api/marketplace?limit=5&sort=handle", "If-None-Match", etag).status()).isEqualTo(304);
        assertThat(get("/api/marketplace?limit=5&sort=name", "If-None-Match", etag).status()).isEqualTo(200);
        // bad input is refused exactly as on the index path
        Answer bad = get("/api/marketplace?limit=ten");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().get("error").asString()).isNotBlank();
    }

    /**
     * The same agents in the index and in the live catalog give the same answers: same totals, same
     * agents in the same order on every page, for every filter and both sorts.
     */
    @Test
    @Order(3)
    void onceRowsExistTheIndexAnswersAndBothPathsAgree() {
        List<JsonNode> live = allAgents("");
        List<ObjectNode> rows = live.stream().map(a -> (ObjectNode) a).toList();
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.agents(healthyId, rows);
        }
        generation.poll();
        LiveIndex liveIndex = store.current(generation.current()).index();

        JsonNode sample = live.get(7);
        String someTag = sample.get("tags").get(0).asString();
        String otherTag = live.get(20).get("tags").get(0).asString();
        String nameFragment = sample.get("name").asString().substring(1, 5).toUpperCase(java.util.Locale.ROOT);
        Map<String, String[]> queries = new LinkedHashMap<>();
        queries.put("default", new String[]{null, null, null, null, null, null});
        queries.put("by handle", new String[]{"200", null, "handle", null, null, null});
        queries.put("offset", new String[]{"7", "3", null, null, null, null});
        queries.put("q", new String[]{"200", null, null, nameFragment, null, null});
        queries.put("q in a tag", new String[]{"200", null, "handle", someTag.substring(1), null, null});
        queries.put("q non-ascii", new String[]{"200", null, null, "ï", null, null});
        queries.put("tags any", new String[]{"200", null, null, null, someTag + "," + otherTag, null});
        queries.put("registryUrl", new String[]{"200", null, null, null, null, healthy.baseUrl() + "//"});
        queries.put("other registry", new String[]{"200", null, null, null, null, failing.baseUrl()});

        for (Map.Entry<String, String[]> entry : queries.entrySet()) {
            String[] p = entry.getValue();
            CatalogQuery query = CatalogQuery.parse(p[0], p[1], p[2], p[3], p[4], p[5], null);
            LiveIndex.Page livePage = liveIndex.query(query);
            JsonNode db = get("/api/marketplace?" + params(p)).body();
            assertThat(db.get("meta").get("catalog").asString()).isEqualTo("db");
            assertThat(db.get("total").asLong()).as(entry.getKey()).isEqualTo(livePage.total());
            assertThat(keys(db.get("data"))).as(entry.getKey())
                    .containsExactlyElementsOf(livePage.agents().stream().map(a -> a.registryId() + "/" + a.handle()).toList());
        }
        CatalogQuery verified = CatalogQuery.parse("200", null, null, null, null, null, null, "true");
        LiveIndex.Page liveVerified = liveIndex.query(verified);
        JsonNode dbVerified = get("/api/marketplace?limit=200&verified=true").body();
        assertThat(liveVerified.total()).isEqualTo(healthy.size() - 2);
        assertThat(dbVerified.get("total").asLong()).isEqualTo(liveVerified.total());
        assertThat(keys(dbVerified.get("data"))).containsExactlyElementsOf(
                liveVerified.agents().stream().map(a -> a.registryId() + "/" + a.handle()).toList());
        // keyset pages agree too, cursor for cursor
        for (String sort : List.of("name", "handle")) {
            String cursor = null;
            int pages = 0;
            do {
                CatalogQuery query = CatalogQuery.parse("6", null, sort, null, null, null, cursor);
                LiveIndex.Page livePage = liveIndex.query(query);
                JsonNode db = get("/api/marketplace?limit=6&sort=" + sort + (cursor == null ? "" : "&cursor=" + cursor)).body();
                assertThat(keys(db.get("data"))).containsExactlyElementsOf(
                        livePage.agents().stream().map(a -> a.registryId() + "/" + a.handle()).toList());
                JsonNode next = db.get("meta").get("nextCursor");
                assertThat(next == null ? null : next.asString()).isEqualTo(livePage.nextCursor());
                cursor = livePage.nextCursor();
                pages++;
            } while (cursor != null && pages < 20);
            assertThat(pages).isEqualTo((healthy.size() + 5) / 6 + (healthy.size() % 6 == 0 ? 1 : 0));
        }
    }

    private List<JsonNode> allAgents(String query) {
        List<JsonNode> agents = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = get("/api/marketplace?limit=200" + (query.isEmpty() ? "" : "&" + query)
                    + (cursor == null ? "" : "&cursor=" + cursor)).body();
            page.get("data").forEach(agents::add);
            JsonNode next = page.get("meta").get("nextCursor");
            cursor = next == null ? null : next.asString();
        } while (cursor != null);
        return agents;
    }

    private static String params(String[] p) {
        String[] names = {"limit", "offset", "sort", "q", "tags", "registryUrl"};
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            if (p[i] != null) {
                out.add(names[i] + "=" + URLEncoder.encode(p[i], StandardCharsets.UTF_8));
            }
        }
        return String.join("&", out);
    }

    private static List<String> keys(JsonNode data) {
        List<String> keys = new ArrayList<>();
        data.forEach(a -> keys.add(a.get("registryId").asString() + "/" + a.get("handle").asString()));
        return keys;
    }
}
