package io.marketplaceindex.api.catalog;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.cache.CatalogGeneration;
import io.marketplaceindex.search.SearchWordsRefresh;
import io.marketplaceindex.testsupport.CatalogSeeder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A query with more matches than the candidate budget ranks the same candidates on every request, and
 * its offsets page through them without overlap, also where PostgreSQL would synchronize sequential
 * scans (a table larger than a quarter of shared_buffers: here its rows are spread one a page).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestPropertySource(properties = "marketplace.search.relevance-candidates=" + RelevanceCandidatesIT.BUDGET)
class RelevanceCandidatesIT extends ApiTestSupport {

    static final int BUDGET = 60;
    private static final int PAGE = 10;

    @Autowired
    RelevanceRepository relevance;
    @Autowired
    CatalogGeneration generation;

    @BeforeAll
    void seed() {
        // synchronized scans apply to tables of more than shared_buffers / 4 pages
        long sharedBuffers = ((Number) sql("SELECT setting::bigint FROM pg_settings WHERE name = 'shared_buffers'")).longValue();
        int agents = (int) (sharedBuffers / 4) + 4 * BUDGET;
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            UUID registry = seeder.registry("Lanterns", "https://lanterns.example.org");
            AgentNormalizer normalizer = new AgentNormalizer();
            List<ObjectNode> batch = new ArrayList<>();
            for (int i = 0; i < agents; i++) {
                batch.add(CatalogTagFacetsIT.agent(normalizer, registry, "Lanterns", "https://lanterns.example.org",
                        "lantern-" + i, "Lantern " + i, "lighting"));
            }
            seeder.agents(registry, batch);
        }
        // one row a page, so that the table has as many pages as rows
        sql("ALTER TABLE marketplace_catalog_rows SET (fillfactor = 10)");
        sql("VACUUM FULL marketplace_catalog_rows");
        sql("ANALYZE marketplace_catalog_rows");
        assertThat(((Number) sql("SELECT pg_relation_size('marketplace_catalog_rows') / 8192")).longValue())
                .isGreaterThan(sharedBuffers / 4);
        SearchWordsRefresh.STATEMENTS.forEach(ApiTestSupport::sql);
        newGeneration(generation);
    }

    @AfterAll
    void restore() {
        sql("ALTER TABLE marketplace_catalog_rows RESET (fillfactor)");
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
        }
    }

    @Test
    void everyRequestRanksTheSameCandidates() {
        List<String> first = handles(0);
        assertThat(first).hasSize(PAGE);
        for (int i = 0; i < 3; i++) {
            assertThat(handles(0)).as("request %d", i + 2).isEqualTo(first);
        }
    }

    @Test
    void offsetsPageThroughTheBudgetWithoutOverlap() {
        Set<String> seen = new HashSet<>();
        for (int offset = 0; offset < BUDGET; offset += PAGE) {
            List<String> page = handles(offset);
            assertThat(page).hasSize(PAGE);
            for (String handle : page) {
                assertThat(seen.add(handle)).as("%s again at offset %d", handle, offset).isTrue();
            }
        }
        assertThat(handles(BUDGET)).isEmpty();
    }

    private List<String> handles(int offset) {
        CatalogQuery query = new CatalogQuery(PAGE, offset, CatalogQuery.Sort.RELEVANCE, "lantern", "lantern",
                List.of(), null, null, false);
        return relevance.page(query, List.of()).rows().stream().map(CatalogRepository.PageRow::handle).toList();
    }
}
