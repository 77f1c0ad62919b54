package io.marketplaceindex.bench.indexer;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.RegistryRef;
import io.marketplaceindex.testsupport.CatalogSeeder;
import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.node.ObjectNode;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The size measurement against the real schema: both tables the rows are written to, each index named. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogSizesIT {

    private static final int AGENTS = 40;
    private String url;

    @BeforeAll
    void seed() {
        url = TestServices.freshDatabase("bench_catalog_sizes");
        AgentNormalizer normalizer = new AgentNormalizer();
        try (CatalogSeeder seeder = new CatalogSeeder(url)) {
            UUID registry = seeder.registry("Sizes", "https://sizes.example.org");
            RegistryRef ref = new RegistryRef(registry.toString(), "Sizes", "https://sizes.example.org");
            List<ObjectNode> agents = new ArrayList<>();
            for (int i = 0; i < AGENTS; i++) {
                ObjectNode record = CatalogSeeder.json().createObjectNode()
                        .put("schema", "hive-registry-record-v1").put("handle", "agent-" + i)
                        .put("updatedAt", "2026-11-01T00:00:00Z")
                        .put("agentCardUrl", "https://sizes.example.org/cards/agent-" + i);
                record.putArray("capabilities").add("search");
                ObjectNode card = CatalogSeeder.json().createObjectNode().put("name", "Sized agent " + i);
                agents.add(normalizer.normalize(record, card, ref).orElseThrow());
            }
            seeder.agents(registry, agents);
        }
    }

    @AfterAll
    void drop() {
        TestServices.dropDatabase(url);
    }

    @Test
    void measuresTheRowsAndTheKeyTableTheirTriggerKeeps() throws Exception {
        try (Connection pg = DriverManager.getConnection(url, TestServices.postgresUser(),
                TestServices.postgresPassword())) {
            CatalogSizes sizes = CatalogSizes.measure(pg);
            assertThat(sizes.rows()).isEqualTo(AGENTS);
            assertThat(sizes.indexes()).containsKeys("marketplace_catalog_rows_pkey", "catalog_rows_search_trgm")
                    .doesNotContainKey("catalog_name_order_by_handle");
            assertThat(sizes.keys()).containsOnlyKeys(CatalogSizes.KEY_TABLE, "marketplace_catalog_name_order_pkey",
                    "catalog_name_order_by_handle");
            assertThat(sizes.keys().values()).allMatch(bytes -> bytes > 0);
            assertThat(sizes.columns()).containsOnlyKeys("search_text", "search_grams", "search_vector");
            try (Statement st = pg.createStatement(); ResultSet rs = st.executeQuery("""
                    SELECT pg_total_relation_size('marketplace_catalog_rows')
                         + pg_total_relation_size('marketplace_catalog_name_order')""")) {
                rs.next();
                assertThat(sizes.total()).isEqualTo(rs.getLong(1));
            }
            assertThat(sizes.parts()).containsKeys("key table `marketplace_catalog_name_order` (`pg_table_size`)",
                    "key table's `catalog_name_order_by_handle`", "key table with its indexes");
        }
    }
}
