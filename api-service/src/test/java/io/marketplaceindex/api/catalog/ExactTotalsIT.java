package io.marketplaceindex.api.catalog;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.RegistryRef;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.cache.CatalogGeneration;
import io.marketplaceindex.testsupport.CatalogSeeder;
import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A total that cannot be counted within the request's budget  is answered
 * with a flagged estimate, then counted once in the background; later pages get the exact total.
 * A budget of 0 makes every filtered total take that path; the background count's budget is short, so
 * that a count held up by a lock runs past it.
 */
@TestPropertySource(properties = {"marketplace.catalog.exact-count-timeout=0",
        "marketplace.catalog.background-count-timeout=2s"})
class ExactTotalsIT extends ApiTestSupport {

    @Autowired
    CatalogGeneration generation;

    @Test
    void anEstimateFirstThenTheExactTotal() throws InterruptedException {
        String marker = "zz" + UUID.randomUUID().toString().substring(0, 6);
        seedCounted(marker, 137);
        generation.poll();

        String page = "/api/marketplace?limit=10&q=" + marker;
        Answer estimated = get(page);
        JsonNode first = estimated.body();
        assertThat(first.get("meta").get("totalExact").asBoolean()).isFalse();
        assertThat(first.get("data")).hasSize(10);
        String estimateTag = estimated.raw().headers().firstValue("ETag").orElseThrow();
        assertThat(estimateTag).endsWith("-estimate\"");

        JsonNode later = null;
        for (int offset = 10; offset < 130; offset += 10) {
            later = get("/api/marketplace?limit=10&q=" + marker + "&offset=" + offset).body();
            if (later.get("meta").get("totalExact").asBoolean()) {
                break;
            }
            Thread.sleep(250);
        }
        assertThat(later.get("meta").get("totalExact").asBoolean()).isTrue();
        assertThat(later.get("total").asLong()).isEqualTo(137);

        // A client that kept the estimate (a browser revalidating with If-None-Match) hears 304 only
        // while the estimate is still the answer: once it has expired, it gets the exact page.
        JsonNode revalidated = null;
        for (int attempt = 0; attempt < 40 && revalidated == null; attempt++) {
            Answer answer = get(page, "If-None-Match", estimateTag);
            if (answer.status() == 200 && answer.body().get("meta").get("totalExact").asBoolean()) {
                assertThat(answer.raw().headers().firstValue("ETag").orElseThrow()).isNotEqualTo(estimateTag);
                revalidated = answer.body();
            } else {
                Thread.sleep(250);
            }
        }
        assertThat(revalidated).as("the exact page reached the client that kept the estimate").isNotNull();
        assertThat(revalidated.get("total").asLong()).isEqualTo(137);
    }

    /** {@code count} agents named "Counted <marker> <i>" in a registry of their own. */
    static void seedCounted(String marker, int count) {
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            String url = "https://totals-" + marker + ".example.org";
            UUID registry = seeder.registry("Totals " + marker, url);
            AgentNormalizer normalizer = new AgentNormalizer();
            List<ObjectNode> agents = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ObjectNode record = JSON.createObjectNode().put("handle", marker + "-agent-" + i)
                        .put("agentCardUrl", url + "/cards/" + i);
                ObjectNode card = JSON.createObjectNode().put("name", "Counted " + marker + " " + i);
                agents.add(normalizer.normalize(record, card, new RegistryRef(registry.toString(), "Totals", url))
                        .orElseThrow());
            }
            seeder.agents(registry, agents);
        }
    }

    @Autowired
    ExactTotals exactTotals;

    /**
     * Distinct costly filters arrive faster than they can be counted (here: the count waits on a locked
     * table): the queue stops at its bound instead of growing with every filter, and a filter already
     * waiting is not queued twice.
     */
    @Test
    void theBackgroundCountsAreBoundedAndDeduplicated() throws Exception {
        awaitNoPendingCounts();
        long gen = generation.current();
        whileCatalogLocked(() -> {
            CatalogQuery first = CatalogQuery.parse(null, null, null, "bounded-0", null, null, null);
            for (int i = 0; i < 10; i++) {
                exactTotals.computeLater(gen, first, List.of());
            }
            assertThat(exactTotals.pending()).as("one filter, asked ten times, counted once").isEqualTo(1);

            for (int i = 1; i < 2_000; i++) {
                CatalogQuery query = CatalogQuery.parse(null, null, null, "bounded-" + i, null, null, null);
                exactTotals.computeLater(gen, query, List.of());
                exactTotals.computeLater(gen, query, List.of());
            }
            // one running (waiting for the lock) and the full queue behind it
            assertThat(exactTotals.pending()).isEqualTo(ExactTotals.MAX_WAITING + 1);
        });
        awaitNoPendingCounts();
    }

    /**
     * A count that ran past its budget (here: it waited on a locked table) is not started again by later
     * misses of the same filter in the same generation, although it would now be quick: retried on every
     * miss, a needle in nearly every row kept a core counting for as long as clients asked.
     */
    @Test
    void aCountOverItsBudgetIsNotStartedAgainByLaterMisses() throws Exception {
        String marker = "zo" + UUID.randomUUID().toString().substring(0, 6);
        seedCounted(marker, 23);
        generation.poll();
        awaitNoPendingCounts();
        long gen = generation.current();
        CatalogQuery query = CatalogQuery.parse(null, null, null, marker, null, null, null);
        whileCatalogLocked(() -> {
            exactTotals.computeLater(gen, query, List.of());
            awaitNoPendingCounts();
        });
        assertThat(exactTotals.known(gen, query).overBudget()).isTrue();

        for (int limit = 5; limit < 8; limit++) { // a new page each time: each is a miss
            String path = "/api/marketplace?limit=" + limit + "&q=" + marker;
            Answer answer = get(path);
            assertThat(answer.body().get("meta").get("totalExact").asBoolean()).as("the estimate stands").isFalse();
            awaitNoPendingCounts();
            // no exact total will replace it in this generation: the estimate is the final answer
            String etag = answer.raw().headers().firstValue("ETag").orElseThrow();
            assertThat(etag).doesNotContain("-estimate");
            assertThat(get(path, "If-None-Match", etag).status()).isEqualTo(304);
        }
        assertThat(exactTotals.known(gen, query))
                .as("no later miss counted again (a count now would take milliseconds)")
                .isEqualTo(new ExactTotals.Known(null, true));
    }

    /** Work that must find the catalog table locked, as a long migration would hold it. */
    private interface WhileLocked {
        void run() throws Exception;
    }

    /** Runs the work while a second connection holds the catalog table locked; the lock ends after it. */
    private static void whileCatalogLocked(WhileLocked work) throws Exception {
        try (Connection migration = DriverManager.getConnection(DATABASE, TestServices.postgresUser(),
                TestServices.postgresPassword())) {
            migration.setAutoCommit(false);
            try (Statement st = migration.createStatement()) {
                st.execute("LOCK TABLE marketplace_catalog_rows IN ACCESS EXCLUSIVE MODE");
            }
            try {
                work.run();
            } finally {
                migration.rollback();
            }
        }
    }

    private void awaitNoPendingCounts() throws InterruptedException {
        for (int i = 0; i < 600 && exactTotals.pending() > 0; i++) {
            Thread.sleep(100);
        }
        assertThat(exactTotals.pending()).isZero();
    }
}
