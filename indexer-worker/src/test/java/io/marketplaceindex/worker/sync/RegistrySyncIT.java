package io.marketplaceindex.worker.sync;

import io.marketplaceindex.events.CatalogChanged;
import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.simulator.Fault;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.worker.WorkerTestSupport;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.KafkaOperations;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One registry after another through the real pipeline: HTTP to the simulator, rows in
 * PostgreSQL, events on Kafka.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistrySyncIT extends WorkerTestSupport {

    private static final AtomicInteger NAMES = new AtomicInteger();

    @Autowired
    RegistrySyncer syncer;

    @Autowired
    KafkaOperations<String, byte[]> kafka;

    @Autowired
    JsonMapper json;

    @Autowired
    SyncProperties properties;

    private RegistrySimulator simulator;
    private KafkaConsumer<String, byte[]> changes;

    @BeforeAll
    void start() {
        simulator = RegistrySimulator.start(SimulatorOptions.defaults());
        changes = consumer(topics().catalogChanges());
    }

    @AfterAll
    void stop() {
        changes.close();
        simulator.close();
    }

    @Test
    void aConnectCommandOverKafkaIndexesEveryAgentAndAnnouncesTheChange() throws Exception {
        SimulatedRegistry registry = simulator.addRegistry("connect-" + NAMES.incrementAndGet(), 40, 11L);
        UUID id = UUID.randomUUID();
        RegistryCommand connect = new RegistryCommand.Connect(UUID.randomUUID(), id, Instant.now(), "Connect test",
                registry.baseUrl(), null);
        kafka.send(topics().commands(), id.toString(), codec.encode(connect)).get(10, TimeUnit.SECONDS);

        await("registry synced", Duration.ofSeconds(60), () -> "ok".equals(status(id)));
        assertIndexMatches(id, registry);
        Map<String, Object> row = registryRow(id);
        assertThat(row.get("last_sync_status")).isEqualTo("ok");
        assertThat(((Number) row.get("record_count")).intValue()).isEqualTo(registry.size());

        List<CatalogChanged> events = changes(changes, Duration.ofSeconds(2)).stream()
                .filter(e -> e.registryId().equals(id)).toList();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.added()).isEqualTo(registry.size());
            assertThat(e.generation()).isPositive();
            assertThat(e.commandId()).isEqualTo(connect.commandId());
        });
    }

    /**
     * The per-registry request bound as the registry sees it over real HTTP. Each answer is held
     * for 25 ms, so the sync's requests overlap whenever the fetcher lets them: it must keep exactly
     * concurrency-per-registry in flight, never more.
     */
    @Test
    void aSyncKeepsItsRegistrysRequestBoundAndUsesAllOfIt() {
        int bound = properties.concurrencyPerRegistry();
        SimulatedRegistry registry = simulator.addRegistry("lanes-" + NAMES.incrementAndGet(), bound * 5, 19L);
        registry.setLatency(Duration.ofMillis(25));
        UUID id = register(registry);

        sync(id, false);

        assertThat(status(id)).isEqualTo("ok");
        assertIndexMatches(id, registry);
        // the listing, then a record and a card per agent
        assertThat(registry.stats().requests()).isEqualTo(2L * registry.size() + 1);
        assertThat(registry.stats().maxInFlight()).isEqualTo(bound);
    }

    @Test
    void aRebuildOfAnUnchangedRegistryWritesNothingAndAnnouncesNothing() {
        SimulatedRegistry registry = simulator.addRegistry("noop-" + NAMES.incrementAndGet(), 30, 12L);
        UUID id = connected(registry);
        Map<String, Object> before = rowsFingerprint(id);
        changes(changes, Duration.ofMillis(300));

        sync(id, false);

        assertThat(rowsFingerprint(id)).isEqualTo(before);
        assertThat(changes(changes, Duration.ofSeconds(1))).noneMatch(e -> e.registryId().equals(id));
        JsonNode counts = json.readTree((String) jdbc.sql("SELECT last_counts::text FROM marketplace_registries WHERE id = ?")
                .param(id).query(String.class).single());
        assertThat(counts.get("added").asInt() + counts.get("updated").asInt() + counts.get("removed").asInt()).isZero();
        assertThat(counts.get("unchanged").asInt()).isEqualTo(registry.size());
    }

    @Test
    void changesAdditionsAndRemovalsLandExactly() {
        SimulatedRegistry registry = simulator.addRegistry("delta-" + NAMES.incrementAndGet(), 30, 13L);
        UUID id = connected(registry);
        List<String> handles = registry.handles();
        registry.updateAgent(handles.get(0), "Renamed Agent");
        registry.mutate(2);
        registry.removeAgent(handles.get(5));
        registry.addAgent("brand-new-agent", "Brand New");

        sync(id, false);

        assertIndexMatches(id, registry);
        assertThat(jdbc.sql("SELECT count(*) FROM marketplace_catalog_tombstones WHERE registry_id = ? AND handle = ?")
                .params(id, handles.get(5)).query(Integer.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("SELECT agent->>'name' FROM marketplace_catalog_rows WHERE registry_id = ? AND handle = ?")
                .params(id, handles.get(0)).query(String.class).single()).isEqualTo("Renamed Agent");
        assertThat(tagCountsConsistent()).isTrue();
    }

    @Test
    void removedRowsTakeTheirSourcesAndASourceLeftBehindDoesNotFailTheSync() {
        SimulatedRegistry registry = simulator.addRegistry("orphan-" + NAMES.incrementAndGet(), 12, 19L);
        UUID id = connected(registry);
        List<String> handles = registry.handles();

        // removed by the sweep: the source goes with the row (assertIndexMatches checks both tables)
        registry.removeAgent(handles.get(3));
        sync(id, false);
        assertIndexMatches(id, registry);

        // a row deleted by hand leaves its source behind; the next sync brings the row back over it
        jdbc.sql("DELETE FROM marketplace_catalog_rows WHERE registry_id = ? AND handle = ?")
                .params(id, handles.get(4)).update();
        sync(id, false);
        assertThat(status(id)).isEqualTo("ok");
        assertIndexMatches(id, registry);
    }

    @Test
    void aFailingRegistryKeepsItsRowsMarkedStale() {
        SimulatedRegistry registry = simulator.addRegistry("stale-" + NAMES.incrementAndGet(), 20, 14L);
        UUID id = connected(registry);
        List<String> before = handles(id);

        registry.setFault(Fault.status(Fault.Target.listing(), 500));
        sync(id, false);
        assertThat(handles(id)).isEqualTo(before);
        assertThat(status(id)).isEqualTo("stale");
        assertThat(registryRow(id).get("last_sync_status")).isEqualTo("http_500");
        assertThat(registryRow(id).get("last_success_at")).isNotNull();

        registry.clearFaults();
        registry.setAuthToken("needed");
        sync(id, false);
        assertThat(registryRow(id).get("last_sync_status")).isEqualTo("http_401");
        assertThat(handles(id)).isEqualTo(before);

        registry.setAuthToken(null);
        registry.setFault(Fault.malformed(Fault.Target.listing()));
        sync(id, false);
        assertThat(registryRow(id).get("last_sync_status")).isEqualTo("error");
        assertThat((String) registryRow(id).get("last_error")).isNotBlank();
        assertThat(handles(id)).isEqualTo(before);
        assertThat(((Number) registryRow(id).get("consecutive_failures")).intValue()).isEqualTo(3);

        registry.clearFaults();
        sync(id, false);
        assertThat(status(id)).isEqualTo("ok");
        assertThat(((Number) registryRow(id).get("consecutive_failures")).intValue()).isZero();
    }

    @Test
    void anEmptyOrShrunkenListingDoesNotWipeTheRegistryUnlessForced() {
        SimulatedRegistry registry = simulator.addRegistry("shrink-" + NAMES.incrementAndGet(), 20, 15L);
        UUID id = connected(registry);
        int full = handles(id).size();

        registry.setFault(Fault.emptyListing());
        sync(id, false);
        assertThat(handles(id)).hasSize(full);
        assertThat((String) registryRow(id).get("last_error")).contains("listed no handles");

        registry.clearFaults();
        registry.setFault(Fault.shrinkListing(0.75));
        sync(id, false);
        assertThat(handles(id)).hasSize(full);
        assertThat((String) registryRow(id).get("last_error")).contains("refused to remove");

        sync(id, true);
        assertThat(handles(id)).hasSizeLessThan(full / 2);
    }

    @Test
    void badRecordsAndCardsAreCountedWithoutFailingTheRegistry() {
        SimulatedRegistry registry = simulator.addRegistry("records-" + NAMES.incrementAndGet(), 20, 16L);
        UUID id = connected(registry);
        List<String> handles = registry.handles();
        String gone = handles.get(1);
        String expired = handles.get(2);
        String noCard = handles.get(3);
        String hugeCard = handles.get(4);
        String brokenRecord = handles.get(6);
        registry.updateAgent(noCard, "Will lose its card");
        registry.updateAgent(hugeCard, "Card too large");
        registry.setFault(Fault.missingRecord(gone));
        registry.setFault(Fault.expiredRecord(expired));
        registry.setFault(Fault.cardNotFound(noCard));
        registry.setFault(Fault.oversizeCard(hugeCard));
        registry.setFault(Fault.malformed(Fault.Target.record(brokenRecord)));
        registry.updateAgent(brokenRecord, "never seen");

        sync(id, false);

        assertThat(status(id)).isEqualTo("ok");
        assertThat(handles(id)).doesNotContain(gone, expired).contains(noCard, hugeCard, brokenRecord);
        // a card answering 404 leaves the record-only agent, named after its handle
        assertThat(jdbc.sql("SELECT agent->>'name' FROM marketplace_catalog_rows WHERE registry_id = ? AND handle = ?")
                .params(id, noCard).query(String.class).single()).isEqualTo(noCard);
        // a card that cannot be read keeps the last good one
        assertThat(jdbc.sql("SELECT agent->>'name' FROM marketplace_catalog_rows WHERE registry_id = ? AND handle = ?")
                .params(id, hugeCard).query(String.class).single()).isNotEqualTo("Card too large").isNotBlank();
        // a malformed record keeps the row as it was
        assertThat(jdbc.sql("SELECT agent->>'name' FROM marketplace_catalog_rows WHERE registry_id = ? AND handle = ?")
                .params(id, brokenRecord).query(String.class).single()).isNotEqualTo("never seen");
        String errors = jdbc.sql("SELECT recent_errors::text FROM marketplace_registries WHERE id = ?").param(id)
                .query(String.class).single();
        assertThat(errors).contains(brokenRecord).contains(hugeCard);
    }

    @Test
    void anUnchangedRecordWhoseCardChangedIsRebuiltFromTheStoredRecord() {
        SimulatedRegistry registry = simulator.addRegistry("card-only-" + NAMES.incrementAndGet(), 10, 18L);
        UUID id = connected(registry);
        String handle = registry.handles().get(2);
        String name = registry.agent(handle).orElseThrow().name();

        // the record answers 304, its card now 404: the agent is rebuilt from the stored record alone
        registry.setFault(Fault.cardNotFound(handle));
        sync(id, false);
        assertThat(agentName(id, handle)).isEqualTo(handle);
        JsonNode counts = json.readTree((String) jdbc.sql("SELECT last_counts::text FROM marketplace_registries WHERE id = ?")
                .param(id).query(String.class).single());
        assertThat(counts.get("updated").asInt()).isEqualTo(1);
        assertThat(counts.get("unchanged").asInt()).isEqualTo(registry.size() - 1);

        // the card is back (fetched without a validator, the record still 304): the agent has its name again
        registry.clearFaults();
        sync(id, false);
        assertThat(agentName(id, handle)).isEqualTo(name);
        assertIndexMatches(id, registry);
        assertThat(tagCountsConsistent()).isTrue();
    }

    private String agentName(UUID id, String handle) {
        return jdbc.sql("SELECT agent->>'name' FROM marketplace_catalog_rows WHERE registry_id = ? AND handle = ?")
                .params(id, handle).query(String.class).single();
    }

    /**
     * The stored card's Last-Modified would fool the card the record names now into a 304 (its host sends
     * no ETag, and the new card is no newer): the worker must not send the old card's validators there.
     */
    @Test
    void aRecordThatNamesAnotherCardGetsThatCardWhateverTheOldCardsValidators() {
        SimulatedRegistry registry = simulator.addRegistry("moved-card-" + NAMES.incrementAndGet(), 4, 29L);
        registry.setCardEtags(false);
        UUID id = connected(registry);
        String handle = registry.handles().get(1);
        String oldName = agentName(id, handle);

        registry.moveCard(handle);
        sync(id, false);

        assertThat(agentName(id, handle)).isEqualTo(oldName + " (moved)");
        assertIndexMatches(id, registry);
    }

    @Test
    void aRebuildRequestedBeforeASuccessfulSyncStartedIsCoalesced() {
        SimulatedRegistry registry = simulator.addRegistry("coalesce-" + NAMES.incrementAndGet(), 5, 17L);
        Instant requestedBefore = Instant.now();
        UUID id = connected(registry);
        long requestsBefore = registry.requestCount();
        UUID rebuild = UUID.randomUUID();
        syncer.sync(new SyncRequest(id, rebuild, RebuildReason.OPERATOR, requestedBefore, false));
        assertThat(registry.requestCount()).isEqualTo(requestsBefore);
        assertThat(jdbc.sql("SELECT status FROM marketplace_rebuild_progress WHERE rebuild_id = ?").param(rebuild)
                .query(String.class).single()).isEqualTo("coalesced");
    }

    /**
     * Disabling removes the rows, so a success from before it answers nothing. Here the enable was
     * requested before the last sync began, as when both commands wait behind a rebuild in the
     * registry's partition: its sync still runs and brings the rows back.
     */
    @Test
    void aRegistryDisabledAndEnabledAgainGetsItsRowsBackWhateverTheOrderOfRequests() throws Exception {
        SimulatedRegistry registry = simulator.addRegistry("reenabled-" + NAMES.incrementAndGet(), 6, 23L);
        Instant enableRequestedAt = Instant.now();
        UUID id = connected(registry);
        UUID disable = UUID.randomUUID();
        UUID enable = UUID.randomUUID();
        kafka.send(topics().commands(), id.toString(), codec.encode(new RegistryCommand.SetEnabled(disable, id,
                Instant.now(), false))).get(10, TimeUnit.SECONDS);
        kafka.send(topics().commands(), id.toString(), codec.encode(new RegistryCommand.SetEnabled(enable, id,
                enableRequestedAt, true))).get(10, TimeUnit.SECONDS);

        assertThat(awaitRebuild(enable)).isEqualTo("ok");
        assertIndexMatches(id, registry);
        assertThat(status(id)).isEqualTo("ok");
        assertThat(((Number) registryRow(id).get("record_count")).intValue()).isEqualTo(registry.size());
    }

    /**
     * A database fault fails the first two attempts at a rebuild (a trigger on the real table; a sequence
     * counts the attempts, since a failed transaction rolls everything else back). Between attempts the
     * rebuild's line must stay 'syncing': a follower such as the command line would otherwise take the
     * first attempt for the outcome. The third attempt syncs.
     */
    @Test
    void aRebuildRetriedAfterADatabaseFaultStaysSyncingUntilAnAttemptSucceeds() throws Exception {
        Set<String> seen = rebuildThroughFaults(2);
        assertThat(seen).doesNotContain("failed").contains("syncing").endsWith("ok");
    }

    /** Every attempt fails: the command goes to the dead-letter topic and the line ends as failed. */
    @Test
    void aRebuildWhoseEveryAttemptFailsEndsAsFailedWhenItIsGivenUp() throws Exception {
        Set<String> seen = rebuildThroughFaults(Integer.MAX_VALUE);
        assertThat(seen).endsWith("failed");
    }

    /** Runs a rebuild over Kafka whose first {@code faults} attempts fail; returns the statuses its line went through. */
    private Set<String> rebuildThroughFaults(int faults) throws Exception {
        SimulatedRegistry registry = simulator.addRegistry("faulted-" + NAMES.incrementAndGet(), 5, 37L);
        UUID id = UUID.randomUUID();
        jdbc.sql("INSERT INTO marketplace_registries (id, name, url) VALUES (?, ?, ?)")
                .params(id, registry.name(), registry.baseUrl()).update();
        String fault = "fault_" + id.toString().replace("-", "");
        jdbc.sql("CREATE SEQUENCE " + fault).update();
        jdbc.sql("""
                CREATE FUNCTION %1$s() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.registry_id = '%2$s' AND nextval('%1$s') <= %3$d THEN
                        RAISE EXCEPTION 'injected database fault';
                    END IF;
                    RETURN NEW;
                END $$""".formatted(fault, id, faults)).update();
        jdbc.sql("CREATE TRIGGER " + fault + " BEFORE INSERT ON marketplace_catalog_rows FOR EACH ROW EXECUTE FUNCTION "
                + fault + "()").update();
        try {
            UUID rebuild = UUID.randomUUID();
            kafka.send(topics().commands(), id.toString(), codec.encode(new RegistryCommand.Rebuild(rebuild, id,
                    Instant.now(), RebuildReason.OPERATOR, false))).get(10, TimeUnit.SECONDS);
            Set<String> seen = new LinkedHashSet<>();
            await("rebuild finished", Duration.ofSeconds(60), () -> {
                String status = progressStatus(rebuild);
                if (status != null) {
                    seen.add(status);
                }
                return "ok".equals(status) || "failed".equals(status);
            });
            if (seen.contains("ok")) {
                assertIndexMatches(id, registry);
            }
            return seen;
        } finally {
            jdbc.sql("DROP TRIGGER " + fault + " ON marketplace_catalog_rows").update();
            jdbc.sql("DROP FUNCTION " + fault + "()").update();
            jdbc.sql("DROP SEQUENCE " + fault).update();
        }
    }

    @Test
    void aPoisonCommandGoesToTheDeadLetterTopicWithItsReason() throws Exception {
        KafkaConsumer<String, byte[]> dlt = consumer(topics().commandsDeadLetter());
        try {
            kafka.send(topics().commands(), "poison", "{\"type\":\"registry.rebuild\",\"nonsense\":true}".getBytes())
                    .get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            String reason = null;
            while (reason == null && System.nanoTime() < deadline) {
                for (var record : dlt.poll(Duration.ofMillis(200))) {
                    if ("poison".equals(record.key())) {
                        var header = record.headers().lastHeader("kafka_dlt-exception-message");
                        reason = header == null ? "" : new String(header.value());
                    }
                }
            }
            assertThat(reason).isNotNull().contains("registryId");
        } finally {
            dlt.close();
        }
        // the partition is not blocked: a later command still goes through
        SimulatedRegistry registry = simulator.addRegistry("after-poison-" + NAMES.incrementAndGet(), 3, 18L);
        UUID id = UUID.randomUUID();
        kafka.send(topics().commands(), id.toString(), codec.encode(new RegistryCommand.Connect(UUID.randomUUID(), id,
                Instant.now(), "After poison", registry.baseUrl(), null))).get(10, TimeUnit.SECONDS);
        await("registry after poison synced", Duration.ofSeconds(60), () -> "ok".equals(status(id)));
    }

    private UUID connected(SimulatedRegistry registry) {
        UUID id = UUID.randomUUID();
        jdbc.sql("INSERT INTO marketplace_registries (id, name, url) VALUES (?, ?, ?)")
                .params(id, registry.name(), registry.baseUrl()).update();
        sync(id, false);
        assertThat(status(id)).isEqualTo("ok");
        assertIndexMatches(id, registry);
        return id;
    }

    private void sync(UUID id, boolean force) {
        syncer.sync(new SyncRequest(id, UUID.randomUUID(), RebuildReason.OPERATOR, Instant.now(), force));
    }

    private String status(UUID id) {
        return jdbc.sql("SELECT sync_status FROM marketplace_registries WHERE id = ?").param(id)
                .query(String.class).optional().orElse(null);
    }

    private Map<String, Object> rowsFingerprint(UUID id) {
        return jdbc.sql("""
                        SELECT count(*) AS n, max(updated_at) AS last_update, max(change_xid) AS change_xid,
                               string_agg(encode(content_hash, 'hex'), ',' ORDER BY handle) AS hashes
                        FROM marketplace_catalog_rows WHERE registry_id = ?
                        """)
                .param(id).query().singleRow();
    }

    private boolean tagCountsConsistent() {
        return jdbc.sql("""
                        SELECT count(*) = 0 FROM (
                          SELECT tag, count(*) AS n FROM marketplace_catalog_rows, unnest(tags) tag GROUP BY tag
                        ) actual FULL JOIN marketplace_tag_counts c USING (tag)
                        WHERE actual.n IS DISTINCT FROM c.agent_count
                        """)
                .query(Boolean.class).single()
                && jdbc.sql("""
                        SELECT count(*) = 0 FROM (
                          SELECT a AS tag_a, b AS tag_b, count(*) AS n
                          FROM marketplace_catalog_rows r, unnest(r.tags) a, unnest(r.tags) b
                          WHERE a < b AND cardinality(r.tags) <= 32 GROUP BY a, b
                        ) actual FULL JOIN marketplace_tag_pair_counts c USING (tag_a, tag_b)
                        WHERE actual.n IS DISTINCT FROM c.agent_count
                        """)
                .query(Boolean.class).single();
    }
}
