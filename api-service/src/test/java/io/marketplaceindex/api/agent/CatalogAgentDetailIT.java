package io.marketplaceindex.api.agent;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.RegistryRef;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.testsupport.CatalogSeeder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** GET /api/marketplace/{registryId}/{handle} and /api/marketplace/agent against real PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogAgentDetailIT extends ApiTestSupport {

    private static final String URL = "https://detail.example.org/reg";
    private static final List<String> HANDLES = List.of("plain-agent", "org/team/agent-1", "café bot 1",
            "odd%handle;with\\chars", "no-sources-agent", "trailing/");
    private static final Instant FETCHED_AT = Instant.parse("2026-11-20T10:00:00Z");

    private UUID registry;
    private final List<ObjectNode> records = new ArrayList<>();
    private final List<ObjectNode> cards = new ArrayList<>();

    @BeforeAll
    void seed() {
        AgentNormalizer normalizer = new AgentNormalizer();
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            registry = seeder.registry("Detail", URL);
            List<ObjectNode> agents = new ArrayList<>();
            for (String handle : HANDLES) {
                ObjectNode record = JSON.createObjectNode()
                        .put("schema", "hive-registry-record-v1").put("handle", handle)
                        .put("updatedAt", "2026-11-01T00:00:00Z").put("agentCardUrl", URL + "/cards/x")
                        .put("unknownField", "kept in the raw record");
                record.putArray("capabilities").add("search");
                ObjectNode card = JSON.createObjectNode().put("name", "Name of " + handle).put("description", "d");
                records.add(record);
                cards.add(card);
                agents.add(normalizer.normalize(record, card, new RegistryRef(registry.toString(), "Detail", URL))
                        .orElseThrow());
            }
            seeder.agents(registry, agents);
        }
        for (int i = 0; i < HANDLES.size(); i++) {
            if (!HANDLES.get(i).equals("no-sources-agent")) {
                sql("""
                        INSERT INTO marketplace_catalog_sources (registry_id, handle, record, card, card_error, fetched_at)
                        VALUES (?, ?, ?, ?, ?, ?::timestamptz)
                        """, registry, HANDLES.get(i), records.get(i).toString(),
                        i == 1 ? null : cards.get(i).toString(), i == 1 ? "card answered 503" : null,
                        FETCHED_AT.toString());
            }
        }
    }

    /** The path form: the handle is the rest of the path, each segment percent-encoded. */
    private static String path(UUID registryId, String handle) {
        return "/api/marketplace/" + registryId + "/" + Arrays.stream(handle.split("/", -1))
                .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/"));
    }

    private static String query(String registryId, String handle) {
        return "/api/marketplace/agent?registryId=" + URLEncoder.encode(registryId, StandardCharsets.UTF_8)
                + "&handle=" + URLEncoder.encode(handle, StandardCharsets.UTF_8);
    }

    /** Status only: what the servlet container itself refuses may not answer JSON. */
    private int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void answersTheAgentItsSourcesAndSyncState() {
        Answer answer = get(path(registry, "plain-agent"));
        assertThat(answer.status()).isEqualTo(200);
        JsonNode body = answer.body();
        assertThat(body.get("data").get("handle").asString()).isEqualTo("plain-agent");
        assertThat(body.get("data").get("name").asString()).isEqualTo("Name of plain-agent");
        assertThat(body.get("data").get("registryId").asString()).isEqualTo(registry.toString());
        assertThat(body.get("record")).isEqualTo(records.get(0));
        assertThat(body.get("record").get("unknownField").asString()).isEqualTo("kept in the raw record");
        assertThat(body.get("card")).isEqualTo(cards.get(0));
        JsonNode sync = body.get("sync");
        assertThat(Instant.parse(sync.get("fetchedAt").asString())).isEqualTo(FETCHED_AT);
        assertThat(Instant.parse(sync.get("updatedAt").asString())).isBefore(Instant.now().plusSeconds(60));
        assertThat(sync.get("generation").asLong()).isPositive();
        assertThat(sync.get("cardError").isNull()).isTrue();
        assertThat(sync.get("registrySyncStatus").asString()).isEqualTo("ok");
        assertThat(sync.get("lastSuccessAt").isString()).isTrue();
    }

    @Test
    void handlesWithSlashesSpacesAndAnyCharacterAreReachable() {
        JsonNode slashed = get(path(registry, "org/team/agent-1")).body();
        assertThat(slashed.get("data").get("handle").asString()).isEqualTo("org/team/agent-1");
        // this one's card fetch failed: no card, and the reason
        assertThat(slashed.get("card").isNull()).isTrue();
        assertThat(slashed.get("sync").get("cardError").asString()).isEqualTo("card answered 503");

        assertThat(get(path(registry, "café bot 1")).body().get("data").get("handle").asString()).isEqualTo("café bot 1");
        assertThat(get(path(registry, "trailing/")).body().get("data").get("handle").asString()).isEqualTo("trailing/");

        // what the servlet container and the firewall refuse in a path (%25, ;, \) goes through the query form
        String odd = "odd%handle;with\\chars";
        assertThat(status(path(registry, odd))).isEqualTo(400);
        Answer byQuery = get(query(registry.toString(), odd));
        assertThat(byQuery.status()).isEqualTo(200);
        assertThat(byQuery.body().get("data").get("handle").asString()).isEqualTo(odd);
        for (String handle : HANDLES) {
            assertThat(get(query(registry.toString(), handle)).status()).as(handle).isEqualTo(200);
        }
    }

    @Test
    void anAgentWithoutStoredSourcesStillAnswersWithNulls() {
        JsonNode body = get(path(registry, "no-sources-agent")).body();
        assertThat(body.get("data").get("handle").asString()).isEqualTo("no-sources-agent");
        assertThat(body.get("record").isNull()).isTrue();
        assertThat(body.get("card").isNull()).isTrue();
        assertThat(body.get("sync").get("fetchedAt").isNull()).isTrue();
        assertThat(body.get("sync").get("registrySyncStatus").asString()).isEqualTo("ok");
    }

    @Test
    void unknownAgentsAre404AndMalformedRequests400WithReasons() {
        Answer unknownHandle = get(path(registry, "nobody-here"));
        assertThat(unknownHandle.status()).isEqualTo(404);
        assertThat(unknownHandle.body().get("error").asString()).contains("nobody-here").contains(registry.toString());
        Answer unknownRegistry = get(path(UUID.randomUUID(), "plain-agent"));
        assertThat(unknownRegistry.status()).isEqualTo(404);
        assertThat(unknownRegistry.body().get("error").asString()).contains("no registry");

        for (String bad : List.of("/api/marketplace/not-a-uuid/plain-agent", "/api/marketplace/1-1-1-1-1/plain-agent",
                "/api/marketplace/" + registry + "/", query("not-a-uuid", "plain-agent"),
                "/api/marketplace/agent?registryId=" + registry, "/api/marketplace/agent?handle=plain-agent",
                query(registry.toString(), "x".repeat(600)))) {
            Answer answer = get(bad);
            assertThat(answer.status()).as(bad).isEqualTo(400);
            assertThat(answer.body().get("error").asString()).as(bad).isNotBlank();
        }
    }

    @Test
    void answers304ForAMatchingEtagUntilTheAnswerChanges() {
        Answer first = get(path(registry, "plain-agent"));
        String etag = first.raw().headers().firstValue("ETag").orElseThrow();
        assertThat(get(path(registry, "plain-agent"), "If-None-Match", etag).status()).isEqualTo(304);
        assertThat(get(query(registry.toString(), "plain-agent"), "If-None-Match", etag).status()).isEqualTo(304);

        // a failed sync changes no row and no generation, but it does change this answer
        sql("UPDATE marketplace_registries SET sync_status = 'stale' WHERE id = ?", registry);
        try {
            Answer stale = get(path(registry, "plain-agent"), "If-None-Match", etag);
            assertThat(stale.status()).isEqualTo(200);
            assertThat(stale.body().get("sync").get("registrySyncStatus").asString()).isEqualTo("stale");
            assertThat(stale.raw().headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etag);
        } finally {
            sql("UPDATE marketplace_registries SET sync_status = 'ok' WHERE id = ?", registry);
        }
    }

    @Test
    void isAPublicReadWhileRebuildProgressStaysOperatorOnly() {
        assertThat(get(path(registry, "plain-agent")).status()).isEqualTo(200);
        assertThat(get("/api/marketplace/tags").status()).isEqualTo(200);
        assertThat(get("/api/marketplace/changes").status()).isEqualTo(200);
        // same shape as /{registryId}/{handle}, but the operator matcher comes first
        assertThat(get("/api/marketplace/index-rebuild/" + UUID.randomUUID()).status()).isEqualTo(401);
        assertThat(get("/api/marketplace/index-rebuild/" + UUID.randomUUID() + "/x").status()).isEqualTo(401);
        // and for an operator it is the rebuild progress, not an agent lookup
        Answer progress = get("/api/marketplace/index-rebuild/" + UUID.randomUUID(), admin());
        assertThat(progress.status()).isEqualTo(200);
        assertThat(progress.body().has("rebuildId")).isTrue();
    }
}
