package io.marketplaceindex.api.catalog;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.RegistryRef;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.cache.CatalogGeneration;
import io.marketplaceindex.testsupport.CatalogSeeder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogApiIT extends ApiTestSupport {

    private static final String ALPHA_URL = "https://alpha.example.org/reg";
    private static final String BETA_URL = "https://beta.example.org";

    @Autowired
    CatalogGeneration generation;

    @Autowired
    JdbcTemplate apiJdbc;

    @Autowired
    SourcesVersion sourcesVersion;

    private UUID alpha;

    @BeforeAll
    void seed() {
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            alpha = seeder.registry("Alpha", ALPHA_URL);
            UUID beta = seeder.registry("Beta", BETA_URL);
            AgentNormalizer normalizer = new AgentNormalizer();
            List<ObjectNode> alphaAgents = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                alphaAgents.add(agent(normalizer, alpha, "Alpha", ALPHA_URL, "alpha-agent-%02d".formatted(i),
                        i % 3 == 0 ? "Zeta Translator " + i : "alpha helper " + i,
                        i % 2 == 0 ? "translation" : "search", "Acme"));
            }
            alphaAgents.add(agent(normalizer, alpha, "Alpha", ALPHA_URL, "percent-agent", "100% Safe_Agent", "finance",
                    "Percent Co"));
            seeder.agents(alpha, alphaAgents);
            List<ObjectNode> betaAgents = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                betaAgents.add(agent(normalizer, beta, "Beta", BETA_URL, "beta-agent-%02d".formatted(i),
                        "Beta Café " + i, i % 2 == 0 ? "finance" : "code-review", "Bêta Labs"));
            }
            seeder.agents(beta, betaAgents);
        }
        generation.poll();
    }

    private static ObjectNode agent(AgentNormalizer normalizer, UUID registryId, String registryName, String url,
                                    String handle, String name, String tag, String author) {
        ObjectNode record = JSON.createObjectNode()
                .put("schema", "hive-registry-record-v1").put("handle", handle)
                .put("updatedAt", "2026-11-01T00:00:00Z").put("agentCardUrl", url + "/cards/" + handle);
        record.putArray("capabilities").add(tag);
        ObjectNode card = JSON.createObjectNode().put("name", name).put("description", "Does " + tag + " things");
        card.putObject("provider").put("organization", author);
        return normalizer.normalize(record, card, new RegistryRef(registryId.toString(), registryName, url)).orElseThrow();
    }

    @Test
    void answersTheCompatibleShapeWithDefaults() {
        Answer answer = get("/api/marketplace");
        assertThat(answer.status()).isEqualTo(200);
        JsonNode body = answer.body();
        assertThat(body.get("total").asLong()).isEqualTo(51);
        assertThat(body.get("offset").asInt()).isZero();
        assertThat(body.get("limit").asInt()).isEqualTo(50);
        assertThat(body.get("data")).hasSize(50);
        JsonNode first = body.get("data").get(0);
        for (String field : List.of("handle", "registryId", "registryName", "registryUrl", "agentCardUrl", "name", "tags")) {
            assertThat(first.has(field)).as(field).isTrue();
        }
        JsonNode meta = body.get("meta");
        assertThat(meta.get("registries").asInt()).isEqualTo(2);
        assertThat(meta.get("catalog").asString()).isEqualTo("db");
        assertThat(meta.get("totalExact").asBoolean()).isTrue();
        assertThat(meta.get("builtAt").isNull()).isFalse();
        assertThat(meta.get("sources")).hasSize(2);
        assertThat(meta.get("sources").get(0).get("agentCount").asInt()).isEqualTo(31);
        assertThat(strings(meta.get("tags"))).containsExactly("code-review", "finance", "search", "translation");
        assertThat(meta.get("tagsTruncated").asBoolean()).isFalse();
    }

    /**
     * A failed sync writes no row, so it takes no generation; meta.sources must show it all the same,
     * and a client holding the earlier answer's ETag must not be told it is current.
     */
    @Test
    void aFailedSyncReachesMetaSourcesAndTheEtagWithoutANewGeneration() {
        Answer before = get("/api/marketplace?limit=4");
        assertThat(source(before.body(), alpha).get("ok").asBoolean()).isTrue();
        String etag = before.raw().headers().firstValue("ETag").orElseThrow();
        long gen = generation.current();
        try {
            sql("UPDATE marketplace_registries SET last_sync_status = 'error', last_error_public = 'registry: unreachable', "
                    + "last_error = 'connect timed out: http://10.20.30.40:8080/v1/records' WHERE id = ?", alpha);
            sourcesVersion.poll();

            Answer after = get("/api/marketplace?limit=4", "If-None-Match", etag);
            assertThat(after.status()).isEqualTo(200);
            assertThat(generation.current()).isEqualTo(gen);
            JsonNode failed = source(after.body(), alpha);
            assertThat(failed.get("ok").asBoolean()).isFalse();
            // the public text; the detail (an internal address, "timed out") is the operator's
            assertThat(failed.get("error").asString()).isEqualTo("registry: unreachable");
            assertThat(after.raw().body()).doesNotContain("10.20.30.40").doesNotContain("timed out");
            assertThat(after.body().get("meta").get("generation").asLong()).isEqualTo(gen);
            Answer operator = get("/api/settings/registries/" + alpha, admin());
            assertThat(operator.status()).isEqualTo(200);
            assertThat(operator.body().get("data").get("lastError").asString())
                    .isEqualTo("connect timed out: http://10.20.30.40:8080/v1/records");
        } finally {
            sql("UPDATE marketplace_registries SET last_sync_status = 'ok', last_error = NULL, last_error_public = NULL "
                    + "WHERE id = ?", alpha);
            sourcesVersion.poll();
        }
        assertThat(source(get("/api/marketplace?limit=4").body(), alpha).get("ok").asBoolean()).isTrue();
    }

    private static JsonNode source(JsonNode catalog, UUID registry) {
        for (JsonNode source : catalog.get("meta").get("sources")) {
            if (source.get("registryId").asString().equals(registry.toString())) {
                return source;
            }
        }
        throw new AssertionError("no source " + registry + " in " + catalog.get("meta"));
    }

    @Test
    void sortsByNameCaseInsensitivelyAndByHandle() {
        List<String> names = new ArrayList<>();
        get("/api/marketplace?limit=200").body().get("data").forEach(a -> names.add(a.get("name").asString()));
        assertThat(names).hasSize(51);
        List<String> lower = names.stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)).toList();
        assertThat(lower).isSorted();
        List<String> handles = new ArrayList<>();
        get("/api/marketplace?limit=200&sort=handle").body().get("data").forEach(a -> handles.add(a.get("handle").asString()));
        assertThat(handles).isSorted().hasSize(51);
    }

    @Test
    void filtersBySubstringTagsAndRegistryUrl() {
        assertThat(get("/api/marketplace?q=ZETA").body().get("total").asLong()).isEqualTo(10);
        assertThat(get("/api/marketplace?q=caf%C3%A9").body().get("total").asLong()).isEqualTo(20);
        assertThat(get("/api/marketplace?q=b%C3%AAta%20labs").body().get("total").asLong()).isEqualTo(20);
        // LIKE wildcards in q are literal
        assertThat(get("/api/marketplace?q=100%25").body().get("total").asLong()).isEqualTo(1);
        assertThat(get("/api/marketplace?q=safe_").body().get("total").asLong()).isEqualTo(1);
        assertThat(get("/api/marketplace?q=0_").body().get("total").asLong()).isZero();
        assertThat(get("/api/marketplace?q=%25%25").body().get("total").asLong()).isZero();
        // tags: any of, exact
        assertThat(get("/api/marketplace?tags=finance").body().get("total").asLong()).isEqualTo(11);
        assertThat(get("/api/marketplace?tags=finance,search").body().get("total").asLong()).isEqualTo(26);
        assertThat(get("/api/marketplace?tags=financ").body().get("total").asLong()).isZero();
        // q matches tags too
        assertThat(get("/api/marketplace?q=code-rev").body().get("total").asLong()).isEqualTo(10);
        // registryUrl, trailing slashes ignored on both sides
        assertThat(get("/api/marketplace?registryUrl=" + ALPHA_URL + "///").body().get("total").asLong()).isEqualTo(31);
        assertThat(get("/api/marketplace?registryUrl=https://nowhere.example").body().get("total").asLong()).isZero();
        Answer combined = get("/api/marketplace?registryUrl=" + BETA_URL + "&tags=finance&q=caf");
        assertThat(combined.body().get("total").asLong()).isEqualTo(10);
        combined.body().get("data").forEach(a -> assertThat(a.get("registryUrl").asString()).isEqualTo(BETA_URL));
    }

    @Test
    void clampsLimitAndRefusesNonsenseWithReasons() {
        assertThat(get("/api/marketplace?limit=5000").body().get("limit").asInt()).isEqualTo(200);
        for (String bad : List.of("limit=0", "limit=-1", "limit=ten", "offset=-5", "offset=x", "sort=rating",
                "cursor=garbage!", "q=a%00b", "tags=x%00y", "registryUrl=http://a%00b", "a%00=1")) {
            Answer answer = get("/api/marketplace?" + bad);
            assertThat(answer.status()).as(bad).isEqualTo(400);
            assertThat(answer.body().get("error").asString()).as(bad).isNotBlank();
        }
    }

    @Test
    void offsetAndCursorPagesVisitEveryAgentOnce() {
        for (String sort : List.of("name", "handle")) {
            Set<String> byOffset = new HashSet<>();
            for (int offset = 0; offset < 51; offset += 7) {
                get("/api/marketplace?limit=7&sort=" + sort + "&offset=" + offset).body().get("data")
                        .forEach(a -> assertThat(byOffset.add(key(a))).isTrue());
            }
            assertThat(byOffset).hasSize(51);
            Set<String> byCursor = new HashSet<>();
            String cursor = null;
            int pages = 0;
            do {
                JsonNode body = get("/api/marketplace?limit=7&sort=" + sort + (cursor == null ? "" : "&cursor=" + cursor)).body();
                body.get("data").forEach(a -> assertThat(byCursor.add(key(a))).isTrue());
                JsonNode next = body.get("meta").get("nextCursor");
                cursor = next == null ? null : next.asString();
                pages++;
            } while (cursor != null && pages < 20);
            assertThat(byCursor).isEqualTo(byOffset);
        }
    }

    @Test
    void aCursorIsBoundToItsQuery() {
        String cursor = get("/api/marketplace?limit=5&q=alpha").body().get("meta").get("nextCursor").asString();
        Answer other = get("/api/marketplace?limit=5&q=beta&cursor=" + cursor);
        assertThat(other.status()).isEqualTo(400);
        assertThat(other.body().get("error").asString()).contains("different query");
    }

    @Test
    void cachesByGenerationAndAnswers304ForAMatchingEtag() {
        Answer first = get("/api/marketplace?limit=3&q=helper");
        Answer second = get("/api/marketplace?limit=3&q=helper");
        assertThat(second.body().get("meta").get("cache").asString()).isEqualTo("hit");
        assertThat(second.body().get("data")).isEqualTo(first.body().get("data"));
        String etag = second.raw().headers().firstValue("ETag").orElseThrow();
        assertThat(get("/api/marketplace?limit=3&q=helper", "If-None-Match", etag).status()).isEqualTo(304);

        newGeneration(generation); // what a catalog-change event does
        Answer afterChange = get("/api/marketplace?limit=3&q=helper", "If-None-Match", etag);
        assertThat(afterChange.status()).isEqualTo(200);
        assertThat(afterChange.body().get("meta").get("cache").asString()).isEqualTo("miss");
    }

    @Test
    void theDatabaseConnectionCannotWriteTheIndex() {
        // the main pool's read-only session refuses it first; its role's privileges would too
        // (ApiDatabaseRoleIT goes through every table and statement, also on a read-write session)
        assertThatThrownBy(() -> apiJdbc.update("DELETE FROM marketplace_catalog_rows"))
                .rootCause().hasMessageContaining("read-only transaction");
        assertThatThrownBy(() -> apiJdbc.update(
                "UPDATE marketplace_catalog_state SET generation = generation + 1 WHERE id = 1"))
                .rootCause().hasMessageContaining("read-only transaction");
        assertThat(get("/api/marketplace?limit=1").body().get("total").asLong()).isEqualTo(51);
    }

    private static String key(JsonNode agent) {
        return agent.get("registryId").asString() + "/" + agent.get("handle").asString();
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }
}
