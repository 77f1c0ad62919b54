package io.marketplaceindex.worker.sync.chunked;

import io.marketplaceindex.events.CatalogChanged;
import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.simulator.Fault;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.worker.WorkerTestSupport;
import io.marketplaceindex.worker.sync.RegistrySyncer;
import io.marketplaceindex.worker.sync.SyncRequest;
import io.marketplaceindex.worker.sync.SyncStateStore;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.KafkaOperations;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Registries above the chunk threshold (50 here, chunks of 20; see WorkerTestSupport) through the
 * real pipeline: the rebuild publishes chunks on Kafka, the worker's command runners stage them in
 * PostgreSQL, the last one triggers the finish that applies the run in one transaction.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChunkedSyncIT extends WorkerTestSupport {

    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final int LARGE = 230;
    private static final int CHUNKS = 12; // 11 of 20 handles and one of 10

    @Autowired
    RegistrySyncer syncer;

    @Autowired
    ChunkedSync chunked;

    @Autowired
    SyncRunStore runs;

    @Autowired
    SyncStateStore state;

    @Autowired
    SyncRunReaper reaper;

    @Autowired
    KafkaOperations<String, byte[]> kafka;

    @Autowired
    JsonMapper json;

    private RegistrySimulator simulator;
    private KafkaConsumer<String, byte[]> changes;
    private Map<String, Long> tagCountDriftBefore;

    @BeforeAll
    void start() {
        tagCountDriftBefore = tagCountDrift();
        // latency holds a server thread per request: room for every fetch thread of the worker
        simulator = RegistrySimulator.start(SimulatorOptions.defaults().withThreads(48));
        changes = consumer(topics().catalogChanges());
    }

    @AfterAll
    void stop() {
        changes.close();
        simulator.close();
    }

    @Test
    void aLargeRegistrySyncsThroughChunksIntoOneCommitAndOneEvent() {
        SimulatedRegistry registry = simulator.addRegistry("large-" + NAMES.incrementAndGet(), LARGE, 21L);
        UUID id = register(registry);

        UUID rebuild = sync(id, false);

        assertThat(awaitRebuild(rebuild)).isEqualTo("ok");
        assertIndexMatches(id, registry);
        Map<String, Object> run = run(rebuild);
        assertThat(run.get("status")).isEqualTo("done");
        assertThat(run.get("chunks_total")).isEqualTo(CHUNKS);
        assertThat(run.get("chunks_done")).isEqualTo(CHUNKS);
        assertThat(staged(run)).isZero();

        Map<String, Object> row = registryRow(id);
        assertThat(row.get("sync_status")).isEqualTo("ok");
        assertThat(((Number) row.get("record_count")).intValue()).isEqualTo(LARGE);
        JsonNode counts = lastCounts(id);
        assertThat(counts.get("listed").asInt()).isEqualTo(LARGE);
        assertThat(counts.get("added").asInt()).isEqualTo(LARGE);
        assertThat(counts.get("fetched").asInt()).isEqualTo(LARGE);
        JsonNode detail = progressDetail(rebuild);
        assertThat(detail.get("chunksDone").asInt()).isEqualTo(CHUNKS);
        assertThat(detail.get("chunksTotal").asInt()).isEqualTo(CHUNKS);
        assertThat(detail.get("counts").get("added").asInt()).isEqualTo(LARGE);

        assertThat(changesOf(id, Duration.ofSeconds(2))).singleElement().satisfies(e -> {
            assertThat(e.added()).isEqualTo(LARGE);
            assertThat(e.commandId()).isEqualTo(rebuild);
        });
        assertThat(tagCountsConsistent()).isTrue();
    }

    @Test
    void whileChunksAreStagedReadersStillSeeThePreviousRows() {
        SimulatedRegistry registry = simulator.addRegistry("atonce-" + NAMES.incrementAndGet(), LARGE, 22L);
        UUID id = connectedLarge(registry);
        String before = rowsFingerprint(id);
        List<String> handles = registry.handles();
        registry.updateAgent(handles.get(0), "Renamed Agent");
        registry.mutate(20);
        registry.removeAgent(handles.get(7));
        registry.addAgent("brand-new-large-agent", "Brand New");
        // slow enough for the run to be observed half-staged many times
        registry.setLatency(Duration.ofMillis(30));

        UUID rebuild = sync(id, false);
        UUID runId = (UUID) run(rebuild).get("run_id");
        int observedHalfStaged = 0;
        while (true) {
            // one statement, one snapshot: the run's state and the rows readers see at the same instant
            Map<String, Object> seen = jdbc.sql("""
                            SELECT r.status, r.chunks_done,
                                   (SELECT count(*) FROM marketplace_sync_staging s WHERE s.run_id = r.run_id) AS staged,
                                   (SELECT string_agg(c.handle || '=' || (c.agent->>'name'), ',' ORDER BY c.handle)
                                    FROM marketplace_catalog_rows c WHERE c.registry_id = r.registry_id) AS fingerprint
                            FROM marketplace_sync_runs r WHERE r.run_id = ?
                            """)
                    .param(runId).query().singleRow();
            if (!"running".equals(seen.get("status")) && !"publishing".equals(seen.get("status"))) {
                break;
            }
            if (((Number) seen.get("staged")).longValue() > 0) {
                assertThat(seen.get("fingerprint")).as("rows while %s chunks are staged", seen.get("chunks_done"))
                        .isEqualTo(before);
                observedHalfStaged++;
            }
            sleep(20);
        }
        assertThat(observedHalfStaged).as("observations of a half-staged run").isPositive();

        assertThat(awaitRebuild(rebuild)).isEqualTo("ok");
        assertIndexMatches(id, registry);
        assertThat(jdbc.sql("SELECT count(*) FROM marketplace_catalog_tombstones WHERE registry_id = ? AND handle = ?")
                .params(id, handles.get(7)).query(Integer.class).single()).isEqualTo(1);
        List<CatalogChanged> events = changesOf(id, Duration.ofSeconds(2));
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.added()).isEqualTo(1);
            assertThat(e.removed()).isEqualTo(1);
            // 20 mutated plus one renamed, less any of them that was then removed or renamed twice
            assertThat(e.updated()).isGreaterThanOrEqualTo(19);
        });
        assertThat(tagCountsConsistent()).isTrue();
    }

    @Test
    void aNoOpRebuildThroughChunksWritesNothingAndAnnouncesNothing() {
        SimulatedRegistry registry = simulator.addRegistry("noop-large-" + NAMES.incrementAndGet(), LARGE, 23L);
        UUID id = connectedLarge(registry);
        String before = rowsFingerprintWithVersions(id);

        UUID rebuild = sync(id, false);

        assertThat(awaitRebuild(rebuild)).isEqualTo("unchanged");
        assertThat(run(rebuild).get("status")).isEqualTo("done");
        assertThat(rowsFingerprintWithVersions(id)).isEqualTo(before);
        assertThat(changesOf(id, Duration.ofSeconds(1))).isEmpty();
        JsonNode counts = lastCounts(id);
        assertThat(counts.get("added").asInt() + counts.get("updated").asInt() + counts.get("removed").asInt()).isZero();
        assertThat(counts.get("unchanged").asInt()).isEqualTo(LARGE);
        assertThat(registryRow(id).get("sync_status")).isEqualTo("ok");
    }

    @Test
    void aChunkPublishedTwiceCountsOnce() throws Exception {
        SimulatedRegistry registry = simulator.addRegistry("dup-" + NAMES.incrementAndGet(), LARGE, 24L);
        UUID id = register(registry);
        registry.setLatency(Duration.ofMillis(20));
        KafkaConsumer<String, byte[]> commands = consumer(topics().commands());
        try {
            UUID rebuild = sync(id, false);
            UUID runId = (UUID) run(rebuild).get("run_id");
            ConsumerRecord<String, byte[]> first = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (first == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : commands.poll(Duration.ofMillis(100))) {
                    if (first == null && record.key() != null && record.key().startsWith(runId + ":")) {
                        first = record;
                    }
                }
            }
            assertThat(first).as("a chunk of run %s on the commands topic", runId).isNotNull();
            assertThat(codec.decodeCommand(first.value())).isInstanceOf(RegistryCommand.SyncChunk.class);
            kafka.send(topics().commands(), first.key(), first.value()).get(10, TimeUnit.SECONDS);

            assertThat(awaitRebuild(rebuild)).isEqualTo("ok");
            assertIndexMatches(id, registry);
            Map<String, Object> run = run(rebuild);
            assertThat(run.get("status")).isEqualTo("done");
            assertThat(run.get("chunks_done")).isEqualTo(CHUNKS);
            assertThat(chunksCounted(runId)).isEqualTo(CHUNKS);
            assertThat(changesOf(id, Duration.ofSeconds(2))).singleElement()
                    .satisfies(e -> assertThat(e.added()).isEqualTo(LARGE));

            // once more after the run was applied: nothing at all
            kafka.send(topics().commands(), first.key(), first.value()).get(10, TimeUnit.SECONDS);
            assertThat(changesOf(id, Duration.ofSeconds(2))).isEmpty();
            assertThat(run(rebuild).get("chunks_done")).isEqualTo(CHUNKS);
        } finally {
            commands.close();
        }
    }

    @Test
    void aRedeliveredChunkCountsOnceEvenWhileItsRunIsInFlight() {
        // The run is laid out by hand, so the redelivery provably lands while the run is active.
        SimulatedRegistry registry = simulator.addRegistry("redeliver-" + NAMES.incrementAndGet(), 30, 25L);
        UUID id = register(registry);
        UUID rebuild = UUID.randomUUID();
        UUID runId = UUID.randomUUID();
        List<String> handles = registry.handles();
        runs.create(new SyncRun(runId, id, rebuild, "operator", false, SyncRun.RUNNING, Instant.now(), 30, 0, 2, 0));
        state.syncStarted(rebuild, id, "operator", Instant.now());
        var first = new RegistryCommand.SyncChunk(rebuild, id, Instant.now(), runId, 0, 2, handles.subList(0, 15));
        var second = new RegistryCommand.SyncChunk(rebuild, id, Instant.now(), runId, 1, 2, handles.subList(15, 30));

        chunked.processChunk(first);
        chunked.processChunk(first);

        Map<String, Object> run = run(rebuild);
        assertThat(run.get("chunks_done")).isEqualTo(1);
        assertThat(run.get("status")).isEqualTo("running");
        assertThat(chunksCounted(runId)).isEqualTo(1);
        assertThat(staged(run)).isEqualTo(15);
        assertThat(handles(id)).as("staging only: the index is untouched").isEmpty();
        assertThat(progressDetail(rebuild).get("chunksDone").asInt()).isEqualTo(1);

        chunked.processChunk(second);

        assertThat(awaitRebuild(rebuild)).isEqualTo("ok");
        assertIndexMatches(id, registry);
        assertThat(run(rebuild).get("chunks_done")).isEqualTo(2);
        chunked.processChunk(second);
        assertThat(run(rebuild).get("chunks_done")).isEqualTo(2);
    }

    @Test
    void theShrinkGuardStillAppliesToChunkedRuns() {
        SimulatedRegistry registry = simulator.addRegistry("shrink-large-" + NAMES.incrementAndGet(), LARGE, 26L);
        UUID id = connectedLarge(registry);

        // 60 % dropped: about 92 handles listed, still above the threshold, so still chunked
        registry.setFault(Fault.shrinkListing(0.6));
        UUID refused = sync(id, false);
        assertThat(awaitRebuild(refused)).isEqualTo("unchanged");
        assertThat(run(refused).get("status")).isEqualTo("done");
        int listed = (Integer) run(refused).get("listed");
        assertThat(listed).isGreaterThan(50).isLessThan(LARGE / 2);
        assertThat(handles(id)).hasSize(LARGE);
        assertThat((String) registryRow(id).get("last_error")).contains("refused to remove");
        assertThat(progressDetail(refused).get("warning").asString()).contains("refused to remove");

        UUID forced = sync(id, true);
        assertThat(awaitRebuild(forced)).isEqualTo("ok");
        assertThat(handles(id)).hasSize(listed);
        assertThat(lastCounts(id).get("removed").asInt()).isEqualTo(LARGE - listed);
        assertThat(tagCountsConsistent()).isTrue();
    }

    @Test
    void aSmallRegistryOnTheSamePartitionDoesNotWaitForALargeOne() throws Exception {
        SimulatedRegistry large = simulator.addRegistry("slow-large-" + NAMES.incrementAndGet(), LARGE, 27L);
        SimulatedRegistry small = simulator.addRegistry("quick-small-" + NAMES.incrementAndGet(), 10, 28L);
        large.setLatency(Duration.ofMillis(100));
        UUID largeId = register(large);
        // The same partition as the large registry: before chunking, its rebuild queued behind the whole large sync.
        int partitions = kafka.partitionsFor(topics().commands()).size();
        UUID smallId;
        do {
            smallId = UUID.randomUUID();
        } while (partition(smallId, partitions) != partition(largeId, partitions));
        jdbc.sql("INSERT INTO marketplace_registries (id, name, url) VALUES (?, ?, ?)")
                .params(smallId, small.name(), small.baseUrl()).update();

        UUID largeRebuild = UUID.randomUUID();
        UUID smallRebuild = UUID.randomUUID();
        kafka.send(topics().commands(), largeId.toString(), codec.encode(new RegistryCommand.Rebuild(largeRebuild,
                largeId, Instant.now(), RebuildReason.OPERATOR, false))).get(10, TimeUnit.SECONDS);
        kafka.send(topics().commands(), smallId.toString(), codec.encode(new RegistryCommand.Rebuild(smallRebuild,
                smallId, Instant.now(), RebuildReason.OPERATOR, false))).get(10, TimeUnit.SECONDS);

        assertThat(awaitRebuild(smallRebuild)).isEqualTo("ok");
        // The large sync may still be reading its listing (no run yet) or fetching its chunks.
        jdbc.sql("SELECT status, chunks_done FROM marketplace_sync_runs WHERE rebuild_id = ?").param(largeRebuild)
                .query().listOfRows().forEach(largeRun -> {
                    assertThat(largeRun.get("status")).as("the large run when the small registry is done")
                            .isIn("publishing", "running");
                    assertThat((Integer) largeRun.get("chunks_done")).isLessThan(CHUNKS);
                });
        assertThat(registryRow(smallId).get("sync_status")).isEqualTo("ok");
        assertThat(registryRow(largeId).get("sync_status")).isEqualTo("syncing");
        assertIndexMatches(smallId, small);

        assertThat(awaitRebuild(largeRebuild)).isEqualTo("ok");
        assertIndexMatches(largeId, large);
        assertThat(registryRow(largeId).get("sync_status")).isEqualTo("ok");
    }

    @Test
    void aNewerSyncSupersedesARunInFlightWhichIsNeverApplied() {
        SimulatedRegistry registry = simulator.addRegistry("supersede-" + NAMES.incrementAndGet(), LARGE, 29L);
        UUID id = connectedLarge(registry);
        registry.mutate(10);
        registry.setLatency(Duration.ofMillis(30));

        UUID older = sync(id, false);
        UUID newer = sync(id, false);

        assertThat(awaitRebuild(newer)).isEqualTo("ok");
        Map<String, Object> olderRun = run(older);
        assertThat(olderRun.get("status")).isEqualTo("superseded");
        assertThat(staged(olderRun)).isZero();
        assertThat(progressStatus(older)).isEqualTo("skipped");
        assertThat(progressDetail(older).get("reason").asString()).contains("superseded");
        assertThat(run(newer).get("status")).isEqualTo("done");
        assertIndexMatches(id, registry);
        assertThat(changesOf(id, Duration.ofSeconds(2))).singleElement()
                .satisfies(e -> assertThat(e.commandId()).isEqualTo(newer));
    }

    /**
     * Two rebuilds requested before the first one's run began (two schedulers, say): the second is
     * answered by the run in flight instead of superseding it and fetching the registry again.
     */
    @Test
    void aRebuildRequestedBeforeARunInFlightBeganIsAnsweredByThatRun() {
        SimulatedRegistry registry = simulator.addRegistry("in-flight-" + NAMES.incrementAndGet(), LARGE, 33L);
        UUID id = connectedLarge(registry);
        registry.mutate(10);
        registry.setLatency(Duration.ofMillis(30));
        Instant requestedBefore = Instant.now();

        UUID first = sync(id, false);
        UUID second = UUID.randomUUID();
        syncer.sync(new SyncRequest(id, second, RebuildReason.CRON, requestedBefore, false));

        // answered by the run, and finished only when the run is: a follower (the CLI) sees the real outcome
        assertThat(progressStatus(second)).isEqualTo("syncing");
        assertThat(progressDetail(second).get("runInFlight").asString()).isEqualTo(run(first).get("run_id").toString());
        assertThat(awaitRebuild(first)).isEqualTo("ok");
        assertThat(run(first).get("status")).isEqualTo("done");
        assertThat(awaitRebuild(second)).isEqualTo("coalesced");
        assertThat(progressDetail(second).get("outcome").asString()).isEqualTo("ok");
        assertIndexMatches(id, registry);
        assertThat(changesOf(id, Duration.ofSeconds(2))).singleElement()
                .satisfies(e -> assertThat(e.commandId()).isEqualTo(first));
    }

    @Test
    void aRebuildThatJoinedARunWhichFailsFailsWithIt() {
        SimulatedRegistry registry = simulator.addRegistry("joined-failed-" + NAMES.incrementAndGet(), 30, 34L);
        UUID id = register(registry);
        Instant requestedBefore = Instant.now().minusSeconds(1);
        UUID rebuild = UUID.randomUUID();
        UUID runId = UUID.randomUUID();
        runs.create(new SyncRun(runId, id, rebuild, "operator", false, SyncRun.RUNNING, Instant.now(), 30, 0, 2, 0));
        state.syncStarted(rebuild, id, "operator", Instant.now());
        UUID joined = UUID.randomUUID();
        syncer.sync(new SyncRequest(id, joined, RebuildReason.CRON, requestedBefore, false));
        assertThat(progressStatus(joined)).isEqualTo("syncing");
        jdbc.sql("UPDATE marketplace_sync_runs SET started_at = started_at - interval '2 hours' WHERE run_id = ?")
                .param(runId).update();

        reaper.reap();

        assertThat(progressStatus(rebuild)).isEqualTo("failed");
        assertThat(progressStatus(joined)).isEqualTo("failed");
        assertThat(progressDetail(joined).get("joinedRebuild").asString()).isEqualTo(rebuild.toString());
    }

    @Test
    void aRunPastItsTimeoutIsFailedByTheReaperAndNeverApplied() {
        SimulatedRegistry registry = simulator.addRegistry("stalled-" + NAMES.incrementAndGet(), 30, 30L);
        UUID id = register(registry);
        UUID rebuild = UUID.randomUUID();
        UUID runId = UUID.randomUUID();
        List<String> handles = registry.handles();
        runs.create(new SyncRun(runId, id, rebuild, "operator", false, SyncRun.RUNNING, Instant.now(), 30, 0, 2, 0));
        state.syncStarted(rebuild, id, "operator", Instant.now());
        chunked.processChunk(new RegistryCommand.SyncChunk(rebuild, id, Instant.now(), runId, 0, 2,
                handles.subList(0, 15)));
        assertThat(staged(run(rebuild))).isEqualTo(15);
        // two hours pass; the second chunk "died with a replica" and never came
        jdbc.sql("UPDATE marketplace_sync_runs SET started_at = started_at - interval '2 hours' WHERE run_id = ?")
                .param(runId).update();

        reaper.reap();

        Map<String, Object> run = run(rebuild);
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat((String) run.get("error")).contains("did not finish");
        assertThat(staged(run)).isZero();
        assertThat(progressStatus(rebuild)).isEqualTo("failed");
        assertThat(progressDetail(rebuild).get("error").asString()).contains("1 of 2 chunks");
        Map<String, Object> row = registryRow(id);
        assertThat(row.get("sync_status")).isEqualTo("failed");
        assertThat((String) row.get("last_error")).contains("did not finish");

        // the missing chunk arrives late: ignored, and no finish ever applies the run
        chunked.processChunk(new RegistryCommand.SyncChunk(rebuild, id, Instant.now(), runId, 1, 2,
                handles.subList(15, 30)));
        chunked.finish(new RegistryCommand.FinishSync(rebuild, id, Instant.now(), runId));
        assertThat(run(rebuild).get("chunks_done")).isEqualTo(1);
        assertThat(handles(id)).isEmpty();
    }

    @Test
    void disablingARegistryCancelsItsRunInFlight() throws Exception {
        SimulatedRegistry registry = simulator.addRegistry("disable-large-" + NAMES.incrementAndGet(), LARGE, 31L);
        UUID id = register(registry);
        registry.setLatency(Duration.ofMillis(100));

        UUID rebuild = sync(id, false);
        kafka.send(topics().commands(), id.toString(), codec.encode(new RegistryCommand.SetEnabled(UUID.randomUUID(),
                id, Instant.now(), false))).get(10, TimeUnit.SECONDS);

        assertThat(awaitRebuild(rebuild)).isEqualTo("skipped");
        Map<String, Object> run = run(rebuild);
        assertThat(run.get("status")).isEqualTo("cancelled");
        assertThat(staged(run)).isZero();
        registry.setLatency(Duration.ZERO);
        // whatever chunks were still in flight, the registry gets no rows back
        sleep(3000);
        assertThat(handles(id)).isEmpty();
        assertThat(registryRow(id).get("sync_status")).isEqualTo("disabled");
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** A large registry after its first (chunked) sync, its change event consumed. */
    private UUID connectedLarge(SimulatedRegistry registry) {
        UUID id = register(registry);
        UUID rebuild = sync(id, false);
        assertThat(awaitRebuild(rebuild)).isEqualTo("ok");
        assertIndexMatches(id, registry);
        // the event follows the rebuild's progress line: wait for it, so later tests count only their own
        List<CatalogChanged> first = new ArrayList<>();
        await("change event of the first sync", Duration.ofSeconds(30), () -> {
            first.addAll(changesOf(id, Duration.ofMillis(200)));
            return !first.isEmpty();
        });
        assertThat(first).singleElement().satisfies(e -> assertThat(e.commandId()).isEqualTo(rebuild));
        return id;
    }

    /** Runs the rebuild's handler as the listener would; for a large registry it returns once chunks are out. */
    private UUID sync(UUID id, boolean force) {
        UUID rebuild = UUID.randomUUID();
        syncer.sync(new SyncRequest(id, rebuild, RebuildReason.OPERATOR, Instant.now(), force));
        return rebuild;
    }

    private JsonNode progressDetail(UUID rebuild) {
        return json.readTree(jdbc.sql("SELECT detail::text FROM marketplace_rebuild_progress WHERE rebuild_id = ?")
                .param(rebuild).query(String.class).single());
    }

    private Map<String, Object> run(UUID rebuild) {
        return jdbc.sql("SELECT * FROM marketplace_sync_runs WHERE rebuild_id = ? ORDER BY started_at DESC LIMIT 1")
                .param(rebuild).query().singleRow();
    }

    private int staged(Map<String, Object> run) {
        return jdbc.sql("SELECT count(*) FROM marketplace_sync_staging WHERE run_id = ?").param(run.get("run_id"))
                .query(Integer.class).single();
    }

    private int chunksCounted(UUID runId) {
        return jdbc.sql("SELECT count(*) FROM marketplace_sync_chunks WHERE run_id = ?").param(runId)
                .query(Integer.class).single();
    }

    private JsonNode lastCounts(UUID id) {
        return json.readTree(jdbc.sql("SELECT last_counts::text FROM marketplace_registries WHERE id = ?").param(id)
                .query(String.class).single());
    }

    private List<CatalogChanged> changesOf(UUID id, Duration wait) {
        return changes(changes, wait).stream().filter(e -> e.registryId().equals(id)).toList();
    }

    private String rowsFingerprint(UUID id) {
        return jdbc.sql("""
                        SELECT string_agg(handle || '=' || (agent->>'name'), ',' ORDER BY handle)
                        FROM marketplace_catalog_rows WHERE registry_id = ?
                        """)
                .param(id).query(String.class).single();
    }

    /** Handles, hashes, change stamps and write times: any row write changes it. */
    private String rowsFingerprintWithVersions(UUID id) {
        return jdbc.sql("""
                        SELECT count(*) || ':' || max(change_xid) || ':' || max(updated_at)
                               || ':' || string_agg(handle || '/' || encode(content_hash, 'hex'), ',' ORDER BY handle)
                        FROM marketplace_catalog_rows WHERE registry_id = ?
                        """)
                .param(id).query(String.class).single();
    }

    /**
     * The tag counters move exactly as the rows do. The database is shared by every test class of the
     * run, and tests that ran before may have left a counter off on purpose (a row deleted by hand):
     * what must not change is how far off each counter was when this class began.
     */
    private boolean tagCountsConsistent() {
        return tagCountDrift().equals(tagCountDriftBefore);
    }

    /** Tags whose counter differs from the rows, by how much. */
    private Map<String, Long> tagCountDrift() {
        return jdbc.sql("""
                        SELECT tag, coalesce(actual.n, 0) - coalesce(c.agent_count, 0) AS drift FROM (
                          SELECT tag, count(*) AS n FROM marketplace_catalog_rows, unnest(tags) tag GROUP BY tag
                        ) actual FULL JOIN marketplace_tag_counts c USING (tag)
                        WHERE actual.n IS DISTINCT FROM c.agent_count
                        """)
                .query((rs, row) -> Map.entry(rs.getString("tag"), rs.getLong("drift"))).list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** Kafka's default partitioner for a keyed record. */
    private static int partition(UUID key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.toString().getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
