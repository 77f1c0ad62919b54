package io.marketplaceindex.worker.sync;

import io.marketplaceindex.agent.AgentIndexFields;
import io.marketplaceindex.worker.WorkerTestSupport;
import io.marketplaceindex.worker.catalog.RowWrite;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Two registries' commits overlap: while registry A's transaction has written its rows and stays
 * open, registry B's whole commit (rows, shared tag counters, generation, COMMIT) goes through. The
 * generations still follow commit order; the change stamps follow the order the transactions began
 * writing in, which is why the changes feed serves them only below its snapshot's xmin.
 */
class OverlappingCommitsIT extends WorkerTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    SyncCommitter committer;

    @Test
    void aSecondRegistryCommitsWhileTheFirstIsStillOpen() throws Exception {
        UUID a = registry("overlap-a");
        UUID b = registry("overlap-b");
        // tags of their own: the counters are shared with the other tests of this database
        String shared = "shared-" + a;
        String onlyA = "only-" + a;
        CountDownLatch aWritten = new CountDownLatch(1);
        CountDownLatch releaseA = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);

        // A writes its rows, then waits inside its transaction, before the shared tail and COMMIT
        CompletableFuture<CommitResult> commitA = CompletableFuture.supplyAsync(() -> committer.commit(
                input(a, "a", 30, shared, onlyA), () -> {
                    aWritten.countDown();
                    try {
                        if (!releaseA.await(60, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("A was never released");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }), threads);
        try {
            assertThat(aWritten.await(30, TimeUnit.SECONDS)).as("A wrote its rows").isTrue();
            assertThat(rowCount(a)).as("A's rows are not committed yet").isZero();

            // B shares A's tags (the same counter rows) and the generation row: it still completes
            CommitResult committedB;
            try {
                committedB = CompletableFuture.supplyAsync(() -> committer.commit(
                        input(b, "b", 20, shared, "only-" + b)), threads).get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                fail("registry B's commit waited for registry A's open transaction");
                return;
            }
            assertThat(committedB.generation()).isPositive();
            assertThat(committedB.counts().added()).isEqualTo(20);
            assertThat(rowCount(b)).isEqualTo(20);
            assertThat(commitA).as("A is still open").isNotDone();
            assertThat(rowCount(a)).isZero();
            assertThat(tagCount(shared)).isEqualTo(20);

            releaseA.countDown();
            CommitResult committedA = commitA.get(30, TimeUnit.SECONDS);
            assertThat(rowCount(a)).isEqualTo(30);
            assertThat(committedA.generation()).as("the later committer has the larger generation")
                    .isGreaterThan(committedB.generation());
            assertThat(jdbc.sql("SELECT generation FROM marketplace_catalog_state WHERE id = 1")
                    .query(Long.class).single()).isEqualTo(committedA.generation());
            assertThat(tagCount(shared)).isEqualTo(50);
            assertThat(tagCount(onlyA)).isEqualTo(30);

            // A began writing first, so its stamp is the smaller one although it committed last
            long stampA = stamp(a);
            long stampB = stamp(b);
            assertThat(stampA).isLessThan(stampB);
        } finally {
            releaseA.countDown();
            threads.shutdown();
        }
    }

    private UUID registry(String name) {
        UUID id = UUID.randomUUID();
        jdbc.sql("INSERT INTO marketplace_registries (id, name, url) VALUES (?, ?, ?)")
                .params(id, name, "https://" + name + "-" + id + ".example.org").update();
        return id;
    }

    private static SyncInput input(UUID registryId, String prefix, int agents, String... tags) {
        Set<String> listed = new LinkedHashSet<>();
        List<HandleResult> results = new ArrayList<>();
        for (int i = 0; i < agents; i++) {
            String handle = prefix + "-" + i + ".overlap";
            listed.add(handle);
            ObjectNode agent = JSON.createObjectNode().put("handle", handle).put("name", "Agent " + handle)
                    .put("registryId", registryId.toString());
            ArrayNode tagArray = agent.putArray("tags");
            for (String tag : tags) {
                tagArray.add(tag);
            }
            ObjectNode record = JSON.createObjectNode().put("handle", handle)
                    .put("agentCardUrl", "https://cards.example.org/" + handle);
            results.add(new HandleResult.Fetched(new RowWrite(handle, JSON.writeValueAsString(agent),
                    AgentIndexFields.of(agent), JSON.writeValueAsString(record), "https://cards.example.org/" + handle, null,
                    "W/\"1\"", null, null, null, null)));
        }
        return new SyncInput(registryId, Instant.now(), listed, 0, false, HandleResults.of(results));
    }

    private int rowCount(UUID registryId) {
        return jdbc.sql("SELECT count(*) FROM marketplace_catalog_rows WHERE registry_id = ?")
                .param(registryId).query(Integer.class).single();
    }

    private long tagCount(String tag) {
        return jdbc.sql("SELECT coalesce(max(agent_count), 0) FROM marketplace_tag_counts WHERE tag = ?")
                .param(tag).query(Long.class).single();
    }

    /** Every row of one commit carries the same stamp. */
    private long stamp(UUID registryId) {
        List<Long> stamps = jdbc.sql("SELECT DISTINCT change_xid FROM marketplace_catalog_rows WHERE registry_id = ?")
                .param(registryId).query(Long.class).list();
        assertThat(stamps).hasSize(1);
        return stamps.get(0);
    }
}
