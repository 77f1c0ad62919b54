package io.marketplaceindex.api.changes;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.RegistryRef;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.testsupport.CatalogSeeder;
import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Change stamps are transaction ids, taken when a writer begins, so commits do not finish in stamp
 * order. A change committed while an older writer is still open must wait below the watermark; once
 * the older one commits, a reader following its cursor gets both, in stamp order, none skipped.
 */
class ChangesFeedWatermarkIT extends ApiTestSupport {

    @Test
    void aChangeCommittedWhileAnOlderWriterIsOpenWaitsForIt() {
        UUID registry;
        long seeded;
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            registry = seeder.registry("Watermark", "https://watermark.example.org");
            seeded = seeder.agents(registry, List.of(agent(registry, "early"), agent(registry, "late"))).changeXid();
        }
        FeedWriter.awaitServed(this::watermark, seeded);
        Follow start = follow(null);
        assertThat(start.keys()).containsExactly(seeded + " early upsert", seeded + " late upsert");

        try (FeedWriter older = new FeedWriter(DATABASE)) {
            // the older writer removes "early" and stays open, as a registry commit does for seconds
            long olderStamp = older.stamp();
            older.run("DELETE FROM marketplace_catalog_rows WHERE registry_id = ? AND handle = 'early'", registry);
            older.run("INSERT INTO marketplace_catalog_tombstones (registry_id, handle, removed_at, change_xid) "
                    + "VALUES (?, 'early', now(), " + FeedWriter.STAMP + ")", registry);

            // a younger writer changes "late" and commits first
            long youngerStamp;
            try (FeedWriter younger = new FeedWriter(DATABASE)) {
                youngerStamp = younger.stamp();
                younger.run("UPDATE marketplace_catalog_rows SET change_xid = " + FeedWriter.STAMP
                        + ", updated_at = now() WHERE registry_id = ? AND handle = 'late'", registry);
                younger.commit();
            }
            assertThat(youngerStamp).isGreaterThan(olderStamp);
            assertThat(sql("SELECT change_xid FROM marketplace_catalog_rows WHERE registry_id = ? AND handle = 'late'",
                    registry)).as("the younger change is committed and visible").isEqualTo(youngerStamp);

            // Served now, it would move the cursor past the older stamp, and the older commit would
            // then land behind the reader: it is held back instead.
            JsonNode held = get("/api/marketplace/changes?cursor=" + start.cursor()).body();
            assertThat(held.get("data")).isEmpty();
            assertThat(held.get("meta").get("hasMore").asBoolean()).isFalse();
            assertThat(held.get("meta").get("generation").asLong()).isLessThanOrEqualTo(olderStamp);
            String heldCursor = held.get("meta").get("nextCursor").asString();

            older.commit();
            FeedWriter.awaitServed(this::watermark, youngerStamp);

            Follow after = follow(heldCursor);
            assertThat(after.keys()).containsExactly(olderStamp + " early removal", youngerStamp + " late upsert");
            // and the cursor that was handed out before the older commit sees the same
            assertThat(follow(start.cursor()).keys()).isEqualTo(after.keys());
        }
    }

    /**
     * The documented way to mirror the catalog: the feed's head first, then the catalog, then the feed
     * from the head. A registry commit open while the catalog is read lands after it, stamped with a
     * time from before the read began, and the head's cursor still brings it.
     */
    @Test
    void aResyncThatTakesTheHeadFirstGetsACommitThatWasOpenDuringTheRead() {
        UUID registry;
        long seeded;
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            registry = seeder.registry("Resync", "https://resync.example.org");
            seeded = seeder.agents(registry, List.of(agent(registry, "mirrored"))).changeXid();
        }
        FeedWriter.awaitServed(this::watermark, seeded);

        try (FeedWriter open = new FeedWriter(DATABASE)) {
            long openStamp = open.stamp();
            open.run("UPDATE marketplace_catalog_rows SET change_xid = " + FeedWriter.STAMP
                    + ", updated_at = now(), sort_name = 'renamed' WHERE registry_id = ? AND handle = 'mirrored'", registry);

            JsonNode head = get("/api/marketplace/changes/head").body();
            assertThat(head.get("data")).isEmpty();
            assertThat(head.get("meta").get("hasMore").asBoolean()).isFalse();
            assertThat(head.get("meta").get("generation").asLong()).isLessThanOrEqualTo(openStamp);
            // what the resync reads: the row as it was before the open commit
            assertThat(sql("SELECT change_xid FROM marketplace_catalog_rows WHERE registry_id = ? AND handle = 'mirrored'",
                    registry)).isEqualTo(seeded);

            open.commit();
            FeedWriter.awaitServed(this::watermark, openStamp);
            assertThat(follow(head.get("meta").get("nextCursor").asString()).keys())
                    .containsExactly(openStamp + " mirrored upsert");
        }
    }

    @Test
    void aWriterInAnotherDatabaseDoesNotHoldTheFeedBack() {
        // transaction ids are server-wide, but a transaction only writes in the database it is connected to
        try (FeedWriter foreign = new FeedWriter(TestServices.postgresHostUrl() + "postgres")) {
            long foreignStamp = foreign.stamp();
            UUID registry;
            long seeded;
            try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
                seeder.clear();
                registry = seeder.registry("Elsewhere", "https://elsewhere.example.org");
                seeded = seeder.agents(registry, List.of(agent(registry, "here"))).changeXid();
            }
            assertThat(foreignStamp).isLessThan(seeded);
            FeedWriter.awaitServed(this::watermark, seeded);
            assertThat(follow(null).keys()).containsExactly(seeded + " here upsert");
        }
    }

    private long watermark() {
        return get("/api/marketplace/changes?limit=1").body().get("meta").get("generation").asLong();
    }

    private record Follow(List<String> keys, String cursor) {
    }

    /** Follows the feed with pages of one change until caught up. */
    private Follow follow(String cursor) {
        List<String> keys = new ArrayList<>();
        for (int page = 0; page < 20; page++) {
            JsonNode body = get("/api/marketplace/changes?limit=1" + (cursor == null ? "" : "&cursor=" + cursor)).body();
            body.get("data").forEach(c -> keys.add(c.get("generation").asLong() + " " + c.get("handle").asString() + " "
                    + c.get("change").asString()));
            cursor = body.get("meta").get("nextCursor").asString();
            if (!body.get("meta").get("hasMore").asBoolean()) {
                return new Follow(keys, cursor);
            }
        }
        throw new AssertionError("the feed did not end: " + keys);
    }

    private static ObjectNode agent(UUID registryId, String handle) {
        String url = "https://agents.example.org";
        ObjectNode record = JSON.createObjectNode().put("handle", handle).put("agentCardUrl", url + "/c/" + handle);
        return new AgentNormalizer().normalize(record, JSON.createObjectNode().put("name", "Agent " + handle),
                new RegistryRef(registryId.toString(), "Registry", url)).orElseThrow();
    }
}
