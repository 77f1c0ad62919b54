package io.marketplaceindex.api.web;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.RegistryRef;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.cache.CatalogGeneration;
import io.marketplaceindex.testsupport.CatalogSeeder;
import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every public read runs under the read budget (marketplace.read.statement-timeout). A statement that
 * cannot finish within it (here: the tables it reads are locked, as a migration would hold them)
 * answers 503 with Retry-After, gives its connection back, and the next request after the lock is
 * gone answers normally.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestPropertySource(properties = {"marketplace.read.statement-timeout=300ms",
        "marketplace.rate-limit.anonymous-per-minute=0", "marketplace.rate-limit.login-per-minute=0"})
class ReadBudgetIT extends ApiTestSupport {

    @Autowired
    CatalogGeneration generation;
    @Autowired
    ReadBudget budget;
    @Autowired
    JdbcClient jdbc;

    private static final String URL = "https://budget.example.org";
    private UUID registry;

    @BeforeAll
    void seed() {
        AgentNormalizer normalizer = new AgentNormalizer();
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            registry = seeder.registry("Budget", URL);
            List<ObjectNode> agents = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                ObjectNode record = JSON.createObjectNode().put("handle", "budget-" + i)
                        .put("agentCardUrl", URL + "/cards/" + i);
                record.putArray("capabilities").add("budgeted");
                ObjectNode card = JSON.createObjectNode().put("name", "Budget agent " + i);
                agents.add(normalizer.normalize(record, card, new RegistryRef(registry.toString(), "Budget", URL))
                        .orElseThrow());
            }
            seeder.agents(registry, agents);
        }
        generation.poll();
    }

    @Test
    void aReadThatOutrunsTheBudgetAnswers503WithRetryAfter() throws Exception {
        // warm: the generation, the registries' state and the catalog's meta are known before the lock
        assertThat(get("/api/marketplace?limit=5").status()).isEqualTo(200);

        String fresh = "q=" + UUID.randomUUID().toString().substring(0, 8);
        List<String> reads = List.of(
                "/api/marketplace?limit=5&" + fresh,
                "/api/marketplace?limit=5&sort=handle&offset=3",
                "/api/marketplace/changes?limit=5",
                "/api/marketplace/tags",
                "/api/marketplace/agent?registryId=" + registry + "&handle=budget-1",
                "/api/marketplace/" + registry + "/budget-2");
        try (Connection migration = DriverManager.getConnection(DATABASE, TestServices.postgresUser(),
                TestServices.postgresPassword())) {
            migration.setAutoCommit(false);
            try (Statement st = migration.createStatement()) {
                // what a schema change does: every read of these tables waits until it commits
                st.execute("LOCK TABLE marketplace_catalog_rows, marketplace_catalog_tombstones, marketplace_tag_counts,"
                        + " marketplace_catalog_sources IN ACCESS EXCLUSIVE MODE");
            }
            try {
                // identical requests at once run one query (the cache's single flight): each of them hears 503
                String same = "/api/marketplace?limit=7&" + fresh;
                List<CompletableFuture<HttpResponse<String>>> together = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    together.add(http.sendAsync(HttpRequest.newBuilder(uri(same)).timeout(Duration.ofSeconds(30)).GET()
                            .build(), HttpResponse.BodyHandlers.ofString()));
                }
                for (CompletableFuture<HttpResponse<String>> response : together) {
                    assertThat(response.get().statusCode()).as(same).isEqualTo(503);
                    assertThat(response.get().headers().firstValue("Retry-After")).hasValue("1");
                }
                for (String path : reads) {
                    Reply answer = send(path);
                    assertThat(answer.status()).as(path).isEqualTo(503);
                    assertThat(answer.raw().headers().firstValue("Retry-After")).as(path).hasValue("1");
                    assertThat(answer.body().get("error").asString()).as(path).contains("read budget");
                    assertThat(answer.body().get("status").asInt()).isEqualTo(503);
                }
            } finally {
                migration.rollback();
            }
        }
        // nothing of the refused reads was kept: the same requests answer once the tables are free
        for (String path : reads) {
            assertThat(send(path).status()).as(path).isEqualTo(200);
        }
    }

    @Test
    void aReadsOwnSettingsComeWithItsBudgetAndEndWithItsTransaction() {
        String settings = "SELECT current_setting('synchronize_seqscans') || ' '"
                + " || current_setting('max_parallel_workers_per_gather') || ' ' || current_setting('statement_timeout')";
        String inside = budget.read(List.of(new ReadBudget.Setting("synchronize_seqscans", "off"),
                new ReadBudget.Setting("max_parallel_workers_per_gather", "0")),
                () -> jdbc.sql(settings).query(String.class).single());
        assertThat(inside).isEqualTo("off 0 300ms");
        // the next read on this thread takes the same pooled connection: nothing of the last one is left
        String next = budget.read(() -> jdbc.sql(settings).query(String.class).single());
        assertThat(next).startsWith("on ").endsWith(" 300ms").doesNotContain(" 0 ");
    }

    /** A read that waits for ever fails here instead of hanging the suite. */
    private Reply send(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), JSON.readTree(response.body()), response);
    }

    private record Reply(int status, JsonNode body, HttpResponse<String> raw) {
    }
}
