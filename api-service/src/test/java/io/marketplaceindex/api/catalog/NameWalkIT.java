package io.marketplaceindex.api.catalog;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.cache.CatalogGeneration;
import io.marketplaceindex.testsupport.CatalogSeeder;
import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.net.URLEncoder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A name-ordered page of a common needle is found by walking the name order (NameWalk), and it is the
 * page the index finds, from any offset, after a cursor, with tags and with a registry; a walk that
 * ends before its page is full gives way to the index. Its total is the sample's estimate, flagged,
 * until the exact count arrives.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NameWalkIT extends ApiTestSupport {

    private static final int AGENTS = 2_000;

    @Autowired
    CatalogRepository rows;
    @Autowired
    NameWalk nameWalk;
    @Autowired
    SubstringNarrowing narrowing;
    @Autowired
    CatalogGeneration generation;
    @Autowired
    JdbcClient jdbc;

    private final String marker = "nw" + UUID.randomUUID().toString().substring(0, 6);
    private final List<UUID> registries = new ArrayList<>();
    private final List<String> urls = new ArrayList<>();

    @BeforeAll
    void seed() throws SQLException {
        AgentNormalizer normalizer = new AgentNormalizer();
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            for (int r = 0; r < 2; r++) {
                String url = "https://walk-" + r + "-" + marker + ".example.org";
                UUID registry = seeder.registry("Walk " + r + " " + marker, url);
                List<ObjectNode> agents = new ArrayList<>();
                for (int i = r; i < AGENTS; i += 2) {
                    String[] tags = i % 3 == 0 ? new String[]{"walk-third-" + marker} : new String[0];
                    agents.add(CatalogTagFacetsIT.agent(normalizer, registry, "Walk " + r, url,
                            marker + "-" + i, "0000 Walker " + marker + " " + String.format("%04d", i) + (i % 2 == 0 ? " 50%_off" : " 50 xoff"), tags));
                }
                seeder.agents(registry, agents);
                registries.add(registry);
                urls.add(url);
            }
        }
        generation.poll();
        narrowing.refresh();
        // as autovacuum does in service: the walk reads only the index where the visibility map says
        // that a page's rows are visible to all, otherwise PostgreSQL walks the narrower name index
        try (Connection c = DriverManager.getConnection(DATABASE, TestServices.postgresUser(), TestServices.postgresPassword());
             Statement st = c.createStatement()) {
            st.execute("VACUUM (ANALYZE) marketplace_catalog_rows");
        }
    }

    @Test
    void sampledTrigramsArePgTrgmsTrigrams() {
        // the sample's trigram shares are counted in the service; the index it predicts is pg_trgm's
        for (String text : List.of("Café RÉSUMÉ 50%_off x-ray", "b2b ABCdef\tqqq", "日本語ツール αβγ abc語def",
                "straße naïve coöperate", "a1 ab1c 1234", "")) {
            List<String> pg = jdbc.sql("SELECT t FROM unnest(show_trgm(?)) AS t WHERE t ~ '^[a-z0-9]{3}$'")
                    .param(text).query(String.class).list();
            var ours = SubstringNarrowing.Frequencies.of(List.of(new CatalogSample.Row(null, List.of(), text))).shares();
            assertThat(ours.keySet()).as(text).containsExactlyInAnyOrderElementsOf(pg);
            assertThat(ours.values()).as(text).allMatch(share -> share == 1.0);
        }
    }

    @Test
    void walkedPagesAreTheIndexsPages() throws InterruptedException {
        String tag = "walk-third-" + marker;
        List<CatalogQuery> queries = List.of(
                query("0", null, null, null),
                query("37", null, null, null),
                query("0", tag, null, null),
                query("11", tag, urls.get(1), null),
                query("0", null, urls.get(0), null));
        long walksBefore = walks();
        for (CatalogQuery query : queries) {
            List<UUID> ids = query.registryUrl() == null ? List.of() : List.of(registries.get(urls.indexOf(query.registryUrl())));
            assertThat(walkPlan(query, ids)).as("walked: %s", query).isPresent();
            assertThat(handles(rows.page(query, ids))).as("%s", query).isEqualTo(expected(query, ids));
        }

        // the pages came from the walk's index (the statistics reach the view when a backend is idle)
        long walksAfter = walks();
        for (int i = 0; i < 60 && walksAfter == walksBefore; i++) {
            Thread.sleep(250);
            walksAfter = walks();
        }
        assertThat(walksAfter).as("walks of catalog_rows_name_search").isGreaterThan(walksBefore);

        // after a cursor, the walk starts at the cursor
        CatalogRepository.PageRow last = rows.page(query("0", null, null, null), List.of()).rows().get(9);
        String cursor = new Cursor(CatalogQuery.Sort.NAME, query("0", null, null, null).filterKey(), last.sortName(),
                last.handle(), last.registryId()).encode();
        CatalogQuery next = query(null, null, null, cursor);
        assertThat(walkPlan(next, List.of())).isPresent();
        assertThat(handles(rows.page(next, List.of()))).containsExactly(
                expected(query("10", null, null, null), List.of()).toArray(String[]::new));

        // the last page is not full: the walk cannot tell that it is the last, the index answers
        CatalogQuery lastPage = query(String.valueOf(AGENTS - 4), null, null, null);
        CatalogRepository.Page page = rows.page(lastPage, List.of());
        assertThat(handles(page)).hasSize(4).isEqualTo(expected(lastPage, List.of()));
    }

    @Test
    void likesWildcardsInTheNeedleAreLiteral() {
        // unescaped, % and _ would match the odd agents' "50 xoff" too
        CatalogQuery wildcards = CatalogQuery.parse("10", null, "name", "50%_off", null, null, null);
        assertThat(walkPlan(wildcards, List.of())).isPresent();
        assertThat(handles(rows.page(wildcards, List.of()))).isEqualTo(expected(wildcards, List.of()))
                .hasSize(10).allSatisfy(handle -> assertThat(Integer.parseInt(handle.substring(handle.lastIndexOf('-') + 1)) % 2).isZero());
    }

    @Test
    void aRareNeedleIsReadThroughTheIndex() {
        CatalogQuery rare = CatalogQuery.parse("10", null, "name", marker + "-1199", null, null, null);
        assertThat(walkPlan(rare, List.of())).isEmpty();
        assertThat(CatalogQuery.parse("10", null, "handle", marker, null, null, null)).satisfies(
                byHandle -> assertThat(walkPlan(byHandle, List.of())).as("no walk in handle order").isEmpty());
    }

    @Test
    void aRareNeedleWithATagOrARegistryIsReadNeedleFirst() {
        String tag = "walk-third-" + marker;
        // marker-119 and marker-1190..1199; in registry 1 (odd) and tagged (every third): 1191 and 1197
        CatalogQuery both = CatalogQuery.parse("5", null, "name", marker + "-119", tag, urls.get(1), null);
        List<UUID> ids = List.of(registries.get(1));
        assertThat(walkPlan(both, ids)).as("not walked").isEmpty();
        assertThat(NameWalk.readsNeedleFirst(both)).isTrue();
        CatalogRepository.Page page = rows.page(both, ids);
        assertThat(handles(page)).containsExactly(marker + "-1191", marker + "-1197").isEqualTo(expected(both, ids));
        assertThat(page.total()).isEqualTo(new CatalogRepository.Total(2, true));

        CatalogQuery tagOnly = CatalogQuery.parse("3", "1", "name", marker + "-119", tag, null, null);
        assertThat(NameWalk.readsNeedleFirst(tagOnly)).isTrue();
        assertThat(handles(rows.page(tagOnly, List.of()))).hasSize(2).isEqualTo(expected(tagOnly, List.of()));
        CatalogQuery registryOnly = CatalogQuery.parse("3", null, "name", marker + "-119", null, urls.get(0), null);
        List<UUID> first = List.of(registries.get(0));
        assertThat(handles(rows.page(registryOnly, first))).hasSize(3).isEqualTo(expected(registryOnly, first));
    }

    @Test
    void aWalkedTotalIsTheSamplesEstimateUntilCounted() throws InterruptedException {
        String url = "/api/marketplace?limit=10&q=" + URLEncoder.encode(marker, StandardCharsets.UTF_8);
        JsonNode first = get(url).body();
        assertThat(first.get("meta").get("totalExact").asBoolean()).isFalse();
        assertThat(first.get("total").asLong()).as("the sample's estimate").isBetween(AGENTS / 2L, AGENTS * 2L);
        JsonNode later = first;
        for (int i = 0; i < 40 && !later.get("meta").get("totalExact").asBoolean(); i++) {
            Thread.sleep(250);
            later = get(url + "&offset=10").body();
        }
        assertThat(later.get("meta").get("totalExact").asBoolean()).isTrue();
        assertThat(later.get("total").asLong()).isEqualTo(AGENTS);
    }

    private long walks() {
        return jdbc.sql("""
                        SELECT pg_stat_clear_snapshot(), (SELECT idx_scan FROM pg_stat_user_indexes
                                                         WHERE indexrelname = 'catalog_rows_name_search')
                        """)
                .query((rs, n) -> rs.getLong(2)).single();
    }

    private CatalogQuery query(String offset, String tags, String registryUrl, String cursor) {
        return CatalogQuery.parse("10", offset, "name", marker, tags, registryUrl, cursor);
    }

    private static List<String> handles(CatalogRepository.Page page) {
        return page.rows().stream().map(CatalogRepository.PageRow::handle).toList();
    }

    /** The page by the plain definition: every match, sorted, cut. */
    private List<String> expected(CatalogQuery query, List<UUID> ids) {
        return jdbc.sql("""
                        SELECT handle FROM marketplace_catalog_rows
                        WHERE strpos(search_text, :needle) > 0
                          AND (cardinality(:tags::text[]) = 0 OR tags && :tags::text[])
                          AND (cardinality(:ids::uuid[]) = 0 OR registry_id = ANY (:ids::uuid[]))
                        ORDER BY sort_name, handle, registry_id LIMIT :limit OFFSET :offset
                        """)
                .param("needle", query.needle()).param("tags", query.tags().toArray(String[]::new))
                .param("ids", ids.toArray(UUID[]::new)).param("limit", query.limit()).param("offset", query.offset())
                .query(String.class).list();
    }

    /** The walk the repository would take for this page, or empty where it reads the index. */
    private Optional<NameWalk.Plan> walkPlan(CatalogQuery query, List<UUID> registryIds) {
        return nameWalk.estimate(query, registryIds).flatMap(estimate -> NameWalk.plan(query, estimate));
    }
}
