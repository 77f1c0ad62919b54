package io.marketplaceindex.api.catalog;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.RecordProof;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.cache.CatalogGeneration;
import io.marketplaceindex.api.cache.ResponseCache;
import io.marketplaceindex.api.live.LiveCatalog;
import io.marketplaceindex.api.web.ReadBudget;
import io.marketplaceindex.testsupport.CatalogSeeder;
import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tags filter naming only tags no agent has is answered from the tag counters, without the catalog
 * query: the answer must be the one the full query path gives, byte for byte but for meta.cache. The full
 * path is the same service over a repository whose counter probe always says "some agent has it".
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnknownTagsIT extends ApiTestSupport {

    private static final String ALPHA_URL = "https://alpha.unknown-tags.example.org";
    private static final String BETA_URL = "https://beta.unknown-tags.example.org";

    @Autowired
    CatalogGeneration generation;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    ReadBudget reads;
    @Autowired
    CountBudget budget;
    @Autowired
    SubstringNarrowing narrowing;
    @Autowired
    CatalogProperties properties;
    @Autowired
    CatalogSummaryRepository summaries;
    @Autowired
    ResponseCache cache;
    @Autowired
    LiveCatalog live;
    @Autowired
    ExactTotals exactTotals;
    @Autowired
    SourcesVersion sourcesVersion;
    @Autowired
    JsonMapper mapper;
    @Autowired
    RelevanceRepository relevance;

    private CatalogService fullPath;

    @BeforeAll
    void seed() {
        AgentNormalizer normalizer = new AgentNormalizer();
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            UUID alpha = seeder.registry("Alpha", ALPHA_URL);
            UUID beta = seeder.registry("Beta", BETA_URL);
            List<ObjectNode> alphaAgents = new ArrayList<>();
            List<ObjectNode> betaAgents = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                boolean inAlpha = i % 2 == 0;
                // "search" and its case variant "Search" are different tags; "SEARCH" no agent has
                String tag = i % 5 == 0 ? "Search" : i % 3 == 0 ? "finance" : "search";
                String handle = "agent-%02d".formatted(i);
                ObjectNode agent = CatalogTagFacetsIT.agent(normalizer, inAlpha ? alpha : beta, inAlpha ? "Alpha" : "Beta",
                        inAlpha ? ALPHA_URL : BETA_URL, handle, "Agent " + handle, tag, "shared");
                if (i % 4 == 0) {
                    new RecordProof(RecordProof.Status.VALID, null, "k1").writeTo(agent);
                }
                (inAlpha ? alphaAgents : betaAgents).add(agent);
            }
            seeder.agents(alpha, alphaAgents);
            seeder.agents(beta, betaAgents);
        }
        generation.poll();
        CatalogRepository alwaysQueries = new CatalogRepository(jdbc, reads, budget, mapper, narrowing, new NameWalk(narrowing), properties) {
            @Override
            public boolean noAgentHasAnyOf(List<String> tags) {
                return false;
            }
        };
        fullPath = new CatalogService(alwaysQueries, relevance, summaries, generation, cache, mapper, live, exactTotals, sourcesVersion);
    }

    @Test
    void onlyUnknownTagsAnswerTheEmptyPageTheFullQueryGives() {
        String cursor = new Cursor(CatalogQuery.Sort.NAME, CatalogQuery.parse(null, null, null, null, "nope,zilch",
                null, null).filterKey(), "agent agent-10", "agent-10", UUID.randomUUID()).encode();
        List<Map<String, String>> cases = List.of(
                Map.of("tags", "nope"),
                Map.of("tags", "nope,zilch"),
                Map.of("tags", "nope,zilch,nada,never"),
                Map.of("tags", "SEARCH"),
                Map.of("tags", "SEARCH,FINANCE,Finance,sEarch"),
                Map.of("tags", "nope", "offset", "20"),
                Map.of("tags", "nope,zilch,nada", "offset", "30", "sort", "handle", "limit", "7"),
                Map.of("tags", "nope", "q", "agent", "verified", "true", "registryUrl", ALPHA_URL + "/"),
                Map.of("tags", "nope,zilch", "registryUrl", "https://nowhere.example"),
                Map.of("tags", "nope,zilch", "cursor", cursor));
        for (Map<String, String> params : cases) {
            JsonNode answer = sameAnswerBothWays(params);
            assertThat(answer.get("data")).as(params.toString()).isEmpty();
            assertThat(answer.get("total").asLong()).as(params.toString()).isZero();
            assertThat(answer.get("meta").get("totalExact").asBoolean()).as(params.toString()).isTrue();
            assertThat(answer.get("meta").has("nextCursor")).as(params.toString()).isFalse();
        }
    }

    @Test
    void aKnownTagBesideUnknownOnesOrACaseVariantStillListsItsAgents() {
        List<Map<String, String>> cases = List.of(
                Map.of("tags", "search,nope"),
                Map.of("tags", "nope,Search"),
                Map.of("tags", "nope,finance,zilch", "limit", "5"),
                Map.of("tags", "nope,finance", "offset", "3", "limit", "4", "sort", "handle"),
                Map.of("tags", "Search,SEARCH", "verified", "true"));
        Map<String, Long> totals = new LinkedHashMap<>();
        for (Map<String, String> params : cases) {
            JsonNode answer = sameAnswerBothWays(params);
            assertThat(answer.get("data")).as(params.toString()).isNotEmpty();
            totals.put(params.get("tags"), answer.get("total").asLong());
        }
        // agents 0..39: "Search" when i % 5 == 0 (8), else "finance" when i % 3 == 0 (11), else "search" (21);
        // verified when i % 4 == 0
        assertThat(totals).containsExactly(Map.entry("search,nope", 21L), Map.entry("nope,Search", 8L),
                Map.entry("nope,finance,zilch", 11L), Map.entry("nope,finance", 11L), Map.entry("Search,SEARCH", 2L));
    }

    /**
     * With the rows locked, as a long schema change would, a request naming only unknown tags still
     * answers at once, while one that names a known tag waits for the rows until the read budget ends.
     */
    @Test
    void onlyUnknownTagsDoNotReadTheRows() throws Exception {
        newGeneration(generation);
        assertThat(get("/api/marketplace?limit=1").status()).isEqualTo(200); // what every request of a generation reads once
        try (Connection locker = DriverManager.getConnection(DATABASE, TestServices.postgresUser(),
                TestServices.postgresPassword()); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("LOCK TABLE marketplace_catalog_rows IN ACCESS EXCLUSIVE MODE");
            Answer unknown = get("/api/marketplace?tags=nope,zilch,nada");
            Answer known = get("/api/marketplace?tags=nope,finance");
            locker.rollback();
            assertThat(unknown.status()).isEqualTo(200);
            assertThat(unknown.body().get("data")).isEmpty();
            assertThat(unknown.body().get("total").asLong()).isZero();
            assertThat(known.status()).isEqualTo(503);
        }
    }

    /** The answer over HTTP and the full query path's, each computed afresh; returns the HTTP one. */
    private JsonNode sameAnswerBothWays(Map<String, String> params) {
        CatalogQuery query = CatalogQuery.parse(params.get("limit"), params.get("offset"), params.get("sort"),
                params.get("q"), params.get("tags"), params.get("registryUrl"), params.get("cursor"), params.get("verified"));
        newGeneration(generation); // a new cache key: computed, not cached
        ObjectNode full = (ObjectNode) JSON.readTree(fullPath.query(query).body());
        newGeneration(generation);
        StringBuilder path = new StringBuilder("/api/marketplace?");
        params.forEach((k, v) -> path.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&'));
        Answer answer = get(path.toString());
        assertThat(answer.status()).as(params.toString()).isEqualTo(200);
        ObjectNode served = (ObjectNode) answer.body();
        assertThat(served.get("meta").get("cache").asString()).as(params.toString()).isEqualTo("miss");
        // each was computed at a generation of its own (a fresh cache key): the rest must be the same
        ((ObjectNode) full.get("meta")).remove(List.of("cache", "generation"));
        ObjectNode compared = served.deepCopy();
        ((ObjectNode) compared.get("meta")).remove(List.of("cache", "generation"));
        assertThat(compared).as(params.toString()).isEqualTo(full);
        return served;
    }
}
