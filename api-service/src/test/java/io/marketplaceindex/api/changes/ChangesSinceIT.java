package io.marketplaceindex.api.changes;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.RegistryRef;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.testsupport.CatalogSeeder;
import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code changes?updatedSince=} far in the future, far in the past and between commits, over 30,000
 * rows and 20,000 tombstones: the answer is right, and the statement's plan reads an index, never the
 * whole table, nor walks the change order past the rows older than the time (which it used to do for
 * any time: to the end of the feed for one after every change).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChangesSinceIT extends ApiTestSupport {

    private static final String URL = "https://since.example.org";
    private static final int OLD_ROWS = 20_000;
    /** More than the feed takes from the time index: these are found by walking the change order. */
    private static final int MIDDLE_ROWS = ChangeFeedRepository.RECENT_MAX + 50;

    @Autowired
    ChangeFeedRepository feed;

    private Instant between;
    private Instant beforeRecent;
    private final List<String> recentHandles = new ArrayList<>();

    @BeforeAll
    void seed() throws InterruptedException {
        AgentNormalizer normalizer = new AgentNormalizer();
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            UUID registry = seeder.registry("Since", URL);
            RegistryRef ref = new RegistryRef(registry.toString(), "Since", URL);
            List<ObjectNode> old = new ArrayList<>();
            for (int i = 0; i < OLD_ROWS; i++) {
                old.add(agent(normalizer, ref, "old-" + i));
            }
            seeder.agents(registry, old);
            sql("""
                    INSERT INTO marketplace_catalog_tombstones (registry_id, handle, removed_at, change_xid)
                    SELECT ?, 'gone-' || i, now() - interval '1 day', pg_current_xact_id()::text::bigint
                    FROM generate_series(1, 20000) AS i
                    """, registry);
            Thread.sleep(20);
            between = serverNow();
            Thread.sleep(20);
            List<ObjectNode> middle = new ArrayList<>();
            for (int i = 0; i < MIDDLE_ROWS; i++) {
                middle.add(agent(normalizer, ref, "middle-%05d".formatted(i)));
            }
            seeder.agents(registry, middle);
            Thread.sleep(20);
            beforeRecent = serverNow();
            Thread.sleep(20);
            List<ObjectNode> recent = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                recentHandles.add("recent-" + i);
                recent.add(agent(normalizer, ref, "recent-" + i));
            }
            seeder.agents(registry, recent);
        }
        sql("ANALYZE marketplace_catalog_rows");
        sql("ANALYZE marketplace_catalog_tombstones");
    }

    @Test
    void aTimeAfterEveryChangeAnswersEmptyFromTheTimeIndexes() throws SQLException {
        String since = "3000-01-01T00:00:00Z";
        JsonNode page = get("/api/marketplace/changes?updatedSince=" + since).body();
        assertThat(page.get("data")).isEmpty();
        assertThat(page.get("meta").get("hasMore").asBoolean()).isFalse();
        assertThat(page.get("meta").get("nextCursor").asString()).isNotEmpty();

        String plan = plan(since);
        assertThat(plan).doesNotContain("Seq Scan").contains("catalog_rows_by_updated_at")
                .contains("catalog_tombstones_by_removed_at");
    }

    @Test
    void aTimeBeforeEveryChangeAnswersTheFeedsStartWalkingTheChangeOrder() throws SQLException {
        String since = "1970-01-01T00:00:00Z";
        JsonNode page = get("/api/marketplace/changes?limit=100&updatedSince=" + since).body();
        JsonNode unfiltered = get("/api/marketplace/changes?limit=100").body();
        assertThat(page.get("data")).hasSize(100);
        assertThat(page.get("data")).isEqualTo(unfiltered.get("data"));
        assertThat(page.get("meta").get("hasMore").asBoolean()).isTrue();

        String plan = plan(since);
        assertThat(plan).doesNotContain("Seq Scan").contains("catalog_rows_by_change")
                .contains("catalog_tombstones_by_change");
    }

    @Test
    void aTimeFollowedByManyChangesWalksFromTheirFirstStampNotFromTheFeedsStart() throws SQLException {
        JsonNode page = get("/api/marketplace/changes?limit=100&updatedSince=" + between).body();
        List<String> handles = new ArrayList<>();
        page.get("data").forEach(c -> handles.add(c.get("handle").asString()));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add("middle-%05d".formatted(i));
        }
        assertThat(handles).isEqualTo(expected);
        assertThat(page.get("meta").get("hasMore").asBoolean()).isTrue();

        String plan = plan(between.toString());
        assertThat(plan).doesNotContain("Seq Scan").contains("catalog_rows_by_change");
        // the 20,000 older rows are not walked past
        assertThat(plan).doesNotContainPattern("Rows Removed by Filter: [0-9]{4,}");
    }

    @Test
    void aTimeBetweenCommitsAnswersExactlyTheLaterOnesFromTheTimeIndex() throws SQLException {
        JsonNode page = get("/api/marketplace/changes?updatedSince=" + beforeRecent).body();
        List<String> handles = new ArrayList<>();
        page.get("data").forEach(c -> handles.add(c.get("handle").asString()));
        assertThat(handles).containsExactlyInAnyOrderElementsOf(recentHandles);
        page.get("data").forEach(c -> assertThat(c.get("change").asString()).isEqualTo("upsert"));
        assertThat(page.get("meta").get("hasMore").asBoolean()).isFalse();

        assertThat(plan(beforeRecent.toString())).doesNotContain("Seq Scan").contains("catalog_rows_by_updated_at");
    }

    /** The server's clock, which the rows' updated_at comes from. */
    private static Instant serverNow() {
        return Instant.parse((String) sql("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',"
                + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
    }

    /** The plan of the page statement the feed runs for this query, executed (EXPLAIN ANALYZE). */
    private String plan(String updatedSince) throws SQLException {
        ChangeFeedRepository.Statement statement = feed.statement(ChangeQuery.parse(updatedSince, null, null));
        StringBuilder plan = new StringBuilder();
        try (Connection c = DriverManager.getConnection(DATABASE, TestServices.postgresUser(), TestServices.postgresPassword());
             PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, COSTS OFF) " + statement.sql())) {
            for (int i = 0; i < statement.params().size(); i++) {
                ps.setObject(i + 1, statement.params().get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
        }
        return plan.toString();
    }

    private static ObjectNode agent(AgentNormalizer normalizer, RegistryRef ref, String handle) {
        ObjectNode record = JSON.createObjectNode().put("handle", handle).put("agentCardUrl", URL + "/cards/" + handle);
        ObjectNode card = JSON.createObjectNode().put("name", "Agent " + handle);
        return normalizer.normalize(record, card, ref).orElseThrow();
    }
}
