package io.marketplaceindex.api.changes;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.RegistryRef;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.testsupport.CatalogSeeder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GET /api/marketplace/changes against real PostgreSQL. Rows come from the seeder; updates and
 * removals are written with SQL the way the worker's CatalogStore writes them (the row's change stamp
 * and updated_at, a tombstone per removed handle, each stamped with its transaction's id).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogChangesFeedIT extends ApiTestSupport {

    private static final Instant JAN = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant FEB = Instant.parse("2026-02-01T00:00:00Z");
    private static final Instant MAR = Instant.parse("2026-03-01T00:00:00Z");
    private static final Instant APR = Instant.parse("2026-04-01T00:00:00Z");

    private UUID one;
    private UUID two;
    // change stamps of four commits, in commit order
    private long g1;
    private long g2;
    private long g3;
    private long g4;
    private final List<Expected> expected = new ArrayList<>();

    private record Expected(long stamp, UUID registryId, String handle, String change, Instant at) {
        String key() {
            return stamp + " " + registryId + " " + handle + " " + change;
        }
    }

    @BeforeAll
    void seed() {
        AgentNormalizer normalizer = new AgentNormalizer();
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            one = seeder.registry("One", "https://one.example.org");
            two = seeder.registry("Two", "https://two.example.org");
            g1 = seeder.agents(one, agents(normalizer, one, "https://one.example.org", "a1", "a2", "a3", "a4", "a5"))
                    .changeXid();
            g2 = seeder.agents(two, agents(normalizer, two, "https://two.example.org", "b1", "b2", "b3")).changeXid();
        }
        // a later write of updated_at alone is no change: the stamps stay
        sql("UPDATE marketplace_catalog_rows SET updated_at = ?::timestamptz WHERE change_xid = ?", JAN.toString(), g1);
        sql("UPDATE marketplace_catalog_rows SET updated_at = ?::timestamptz WHERE change_xid = ?", FEB.toString(), g2);
        // g3: two handles of registry one went away
        try (FeedWriter writer = new FeedWriter(DATABASE)) {
            g3 = writer.stamp();
            tombstone(writer, one, "gone-1", MAR);
            tombstone(writer, one, "gone-2", MAR);
            writer.commit();
        }
        // g4: a2 changed, b3 went away
        try (FeedWriter writer = new FeedWriter(DATABASE)) {
            g4 = writer.stamp();
            writer.run("UPDATE marketplace_catalog_rows SET change_xid = " + FeedWriter.STAMP
                    + ", updated_at = ?::timestamptz WHERE registry_id = ? AND handle = 'a2'", APR.toString(), one);
            writer.run("DELETE FROM marketplace_catalog_rows WHERE registry_id = ? AND handle = 'b3'", two);
            tombstone(writer, two, "b3", APR);
            writer.commit();
        }
        FeedWriter.awaitServed(this::watermark, g4);

        for (String h : List.of("a1", "a3", "a4", "a5")) {
            expected.add(new Expected(g1, one, h, "upsert", JAN));
        }
        expected.add(new Expected(g2, two, "b1", "upsert", FEB));
        expected.add(new Expected(g2, two, "b2", "upsert", FEB));
        expected.add(new Expected(g3, one, "gone-1", "removal", MAR));
        expected.add(new Expected(g3, one, "gone-2", "removal", MAR));
        expected.add(new Expected(g4, one, "a2", "upsert", APR));
        expected.add(new Expected(g4, two, "b3", "removal", APR));
        // the documented order: change stamp, then registry id and handle as PostgreSQL orders them (bytes)
        expected.sort(Comparator.comparingLong(Expected::stamp)
                .thenComparing(e -> e.registryId().toString())
                .thenComparing(Expected::handle, CatalogChangesFeedIT::compareUtf8));
    }

    private static List<ObjectNode> agents(AgentNormalizer normalizer, UUID registryId, String url, String... handles) {
        List<ObjectNode> agents = new ArrayList<>();
        for (String handle : handles) {
            ObjectNode record = JSON.createObjectNode().put("handle", handle).put("agentCardUrl", url + "/c/" + handle);
            agents.add(normalizer.normalize(record, JSON.createObjectNode().put("name", "Agent " + handle),
                    new RegistryRef(registryId.toString(), "R", url)).orElseThrow());
        }
        return agents;
    }

    private static void tombstone(FeedWriter writer, UUID registryId, String handle, Instant at) {
        writer.run("INSERT INTO marketplace_catalog_tombstones (registry_id, handle, removed_at, change_xid) "
                + "VALUES (?, ?, ?::timestamptz, " + FeedWriter.STAMP + ")", registryId, handle, at.toString());
    }

    private long watermark() {
        return get("/api/marketplace/changes?limit=1").body().get("meta").get("generation").asLong();
    }

    private static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void walksUpsertsAndRemovalsInStampOrderPageByPage() {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        JsonNode body;
        do {
            body = get("/api/marketplace/changes?limit=3" + (cursor == null ? "" : "&cursor=" + cursor)).body();
            JsonNode data = body.get("data");
            for (JsonNode change : data) {
                seen.add(key(change));
                if (change.get("change").asString().equals("upsert")) {
                    assertThat(change.get("agent").get("handle").asString()).isEqualTo(change.get("handle").asString());
                } else {
                    assertThat(change.has("agent")).isFalse();
                }
            }
            cursor = body.get("meta").get("nextCursor").asString();
            pages++;
            assertThat(body.get("meta").get("hasMore").asBoolean()).isEqualTo(pages < 4);
        } while (body.get("meta").get("hasMore").asBoolean() && pages < 10);
        assertThat(seen).containsExactlyElementsOf(expected.stream().map(Expected::key).toList());
        // the watermark: past every change served
        assertThat(body.get("meta").get("generation").asLong()).isGreaterThan(g4);

        // caught up: nothing more, and the cursor stays usable
        JsonNode idle = get("/api/marketplace/changes?cursor=" + cursor).body();
        assertThat(idle.get("data")).isEmpty();
        assertThat(idle.get("meta").get("hasMore").asBoolean()).isFalse();
        String caughtUp = idle.get("meta").get("nextCursor").asString();

        // a later commit shows up after that cursor, and only it
        long g5 = ((Number) sql("UPDATE marketplace_catalog_rows SET change_xid = " + FeedWriter.STAMP
                + ", updated_at = now() WHERE registry_id = ? AND handle = 'b1' RETURNING change_xid", two)).longValue();
        try {
            FeedWriter.awaitServed(this::watermark, g5);
            JsonNode later = get("/api/marketplace/changes?cursor=" + caughtUp).body();
            assertThat(later.get("data")).hasSize(1);
            assertThat(key(later.get("data").get(0))).isEqualTo(g5 + " " + two + " b1 upsert");
            assertThat(later.get("meta").get("generation").asLong()).isGreaterThan(g5);
        } finally {
            sql("UPDATE marketplace_catalog_rows SET change_xid = ?, updated_at = ?::timestamptz "
                    + "WHERE registry_id = ? AND handle = 'b1'", g2, FEB.toString(), two);
        }
    }

    @Test
    void carriesTheTimeOfEachChangeAndFiltersByUpdatedSince() {
        JsonNode all = get("/api/marketplace/changes").body();
        assertThat(all.get("data")).hasSize(expected.size());
        assertThat(all.get("meta").get("limit").asInt()).isEqualTo(100);
        for (int i = 0; i < expected.size(); i++) {
            JsonNode change = all.get("data").get(i);
            assertThat(Instant.parse(change.get("at").asString())).isEqualTo(expected.get(i).at());
            assertThat(change.get("generation").asLong()).isEqualTo(expected.get(i).stamp());
        }

        List<String> sinceMarch = expected.stream().filter(e -> !e.at().isBefore(MAR)).map(Expected::key).toList();
        assertThat(keys(get("/api/marketplace/changes?updatedSince=2026-03-01T00:00:00Z").body()))
                .containsExactlyElementsOf(sinceMarch);
        // the same instant written with an offset
        assertThat(keys(get("/api/marketplace/changes?updatedSince="
                + URLEncoder.encode("2026-03-01T01:00:00+01:00", StandardCharsets.UTF_8)).body()))
                .containsExactlyElementsOf(sinceMarch);
        assertThat(keys(get("/api/marketplace/changes?updatedSince=2026-03-01T00:00:00.001Z").body()))
                .containsExactlyElementsOf(expected.stream().filter(e -> e.stamp() == g4).map(Expected::key).toList());
        JsonNode future = get("/api/marketplace/changes?updatedSince=2099-01-01T00:00:00Z").body();
        assertThat(future.get("data")).isEmpty();
        assertThat(future.get("meta").get("hasMore").asBoolean()).isFalse();
    }

    @Test
    void clampsLimitAndRefusesNonsenseWithReasons() {
        assertThat(get("/api/marketplace/changes?limit=5000").body().get("meta").get("limit").asInt()).isEqualTo(1000);
        String catalogCursor = get("/api/marketplace?limit=1").body().get("meta").get("nextCursor").asString();
        for (String bad : List.of("updatedSince=yesterday", "updatedSince=2026-13-01T00:00:00Z",
                "updatedSince=2026-03-01", "cursor=garbage!", "cursor=" + catalogCursor, "limit=0", "limit=-3",
                "limit=many")) {
            Answer answer = get("/api/marketplace/changes?" + bad);
            assertThat(answer.status()).as(bad).isEqualTo(400);
            assertThat(answer.body().get("error").asString()).as(bad).isNotBlank();
        }
    }

    private static String key(JsonNode change) {
        return change.get("generation").asLong() + " " + change.get("registryId").asString() + " "
                + change.get("handle").asString() + " " + change.get("change").asString();
    }

    private static List<String> keys(JsonNode body) {
        List<String> keys = new ArrayList<>();
        body.get("data").forEach(c -> keys.add(key(c)));
        return keys;
    }
}
