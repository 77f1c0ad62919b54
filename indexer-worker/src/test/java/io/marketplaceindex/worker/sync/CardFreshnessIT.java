package io.marketplaceindex.worker.sync;

import io.marketplaceindex.events.CatalogChanged;
import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.RegistryStats;
import io.marketplaceindex.simulator.SimulatedAgent;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.worker.WorkerTestSupport;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * HTTP freshness of Agent Cards (Cache-Control max-age sent by the simulator) through the real
 * pipeline: requests counted by the simulator over real HTTP, rows and freshness in PostgreSQL,
 * change events on Kafka. The worker runs with the default cap of one hour.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CardFreshnessIT extends WorkerTestSupport {

    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Duration DEFAULT_CAP = Duration.ofHours(1);

    @Autowired
    RegistrySyncer syncer;

    @Autowired
    JsonMapper json;

    @Autowired
    MeterRegistry meters;

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
    void aNoOpSyncWithFreshCardsAsksOnlyForRecordsAndWritesNothing() {
        SimulatedRegistry registry = registry("noop", 20);
        registry.setCardMaxAge(Duration.ofSeconds(600));
        Instant firstSync = Instant.now();
        UUID id = connected(registry);
        assertFreshUntil(id, firstSync.plusSeconds(600));
        Map<String, Object> rows = rowsFingerprint(id);
        Map<String, Object> sources = sourcesFingerprint(id);
        RegistryStats before = registry.stats();
        double skippedBefore = freshCardsSkipped();

        UUID rebuild = sync(id);

        RegistryStats after = registry.stats();
        assertThat(after.listings() - before.listings()).isEqualTo(1);
        assertThat(after.records() - before.records()).as("one record request per agent").isEqualTo(registry.size());
        assertThat(after.cards() - before.cards()).as("no card requests").isZero();
        assertThat(after.requests() - before.requests()).isEqualTo(1 + registry.size());
        assertThat(freshCardsSkipped() - skippedBefore).isEqualTo(registry.size());
        assertNothingWritten(id, rebuild, rows, sources, registry.size());
    }

    @Test
    void withoutCacheControlEveryCardIsRevalidatedAsBefore() {
        SimulatedRegistry registry = registry("plain", 10);
        UUID id = connected(registry);
        assertThat(freshUntil(id).values()).containsOnlyNulls();
        Map<String, Object> rows = rowsFingerprint(id);
        Map<String, Object> sources = sourcesFingerprint(id);
        RegistryStats before = registry.stats();

        UUID rebuild = sync(id);

        RegistryStats after = registry.stats();
        assertThat(after.records() - before.records()).isEqualTo(registry.size());
        assertThat(after.cards() - before.cards()).isEqualTo(registry.size());
        assertThat(after.notModified() - before.notModified()).isEqualTo(2L * registry.size());
        assertNothingWritten(id, rebuild, rows, sources, registry.size());
    }

    @Test
    void aStaleCardIsRevalidatedAndA304WithNewMaxAgeExtendsItsFreshnessWithoutARowWrite() {
        SimulatedRegistry registry = registry("stale", 12);
        registry.setCardMaxAge(Duration.ofSeconds(1));
        UUID id = connected(registry);
        Map<String, Instant> firstFreshness = freshUntil(id);
        assertThat(firstFreshness.values()).doesNotContainNull();
        Instant allStale = firstFreshness.values().stream().max(Instant::compareTo).orElseThrow();
        sleepUntil(allStale.plusMillis(200));
        Map<String, Object> rows = rowsFingerprint(id);
        String documents = sourceDocuments(id);
        long generation = catalogGeneration();

        // the cards are stale: each is revalidated, answers 304 and now promises ten minutes
        registry.setCardMaxAge(Duration.ofSeconds(600));
        RegistryStats before = registry.stats();
        Instant revalidatedAt = Instant.now();
        UUID rebuild = sync(id);

        RegistryStats after = registry.stats();
        assertThat(after.cards() - before.cards()).isEqualTo(registry.size());
        assertThat(after.notModified() - before.notModified()).as("records and cards answered 304")
                .isEqualTo(2L * registry.size());
        assertThat(rowsFingerprint(id)).as("no catalog row written").isEqualTo(rows);
        assertThat(sourceDocuments(id)).as("the stored record and card are untouched").isEqualTo(documents);
        assertThat(progressStatus(rebuild)).isEqualTo("unchanged");
        assertThat(changesOf(id, Duration.ofSeconds(1))).as("no change event").isEmpty();
        assertThat(catalogGeneration()).as("no generation taken (nothing else runs in between)").isEqualTo(generation);
        JsonNode counts = lastCounts(id);
        assertThat(counts.get("unchanged").asInt()).isEqualTo(registry.size());
        assertThat(counts.get("added").asInt() + counts.get("updated").asInt() + counts.get("removed").asInt()).isZero();
        Map<String, Instant> extended = freshUntil(id);
        assertFreshUntil(id, revalidatedAt.plusSeconds(600));
        extended.forEach((handle, until) -> assertThat(until).isAfter(firstFreshness.get(handle)));

        // the extended freshness is used: the next sync asks for records only
        RegistryStats beforeThird = registry.stats();
        sync(id);
        assertThat(registry.stats().cards() - beforeThird.cards()).isZero();
        assertThat(registry.stats().records() - beforeThird.records()).isEqualTo(registry.size());
    }

    @Test
    void aChangedRecordFetchesItsCardEvenWhileTheCardIsFresh() {
        SimulatedRegistry registry = registry("renamed", 15);
        registry.setCardMaxAge(Duration.ofSeconds(600));
        UUID id = connected(registry);
        String handle = registry.handles().get(4);
        Instant oldFreshness = freshUntil(id).get(handle);
        changesOf(id, Duration.ofMillis(300));

        // what the benchmark's freshness runs do: the rename changes the record's updatedAt, so its ETag
        SimulatedAgent renamed = registry.updateAgent(handle, "Renamed While Fresh");
        RegistryStats before = registry.stats();
        UUID rebuild = sync(id);

        RegistryStats after = registry.stats();
        assertThat(after.records() - before.records()).isEqualTo(registry.size());
        assertThat(after.cards() - before.cards()).as("only the changed record's card").isEqualTo(1);
        assertThat(agentName(id, handle)).isEqualTo(renamed.name()).isEqualTo("Renamed While Fresh");
        assertThat(progressStatus(rebuild)).isEqualTo("ok");
        assertThat(lastCounts(id).get("updated").asInt()).isEqualTo(1);
        assertThat(changesOf(id, Duration.ofSeconds(1))).singleElement()
                .satisfies(e -> assertThat(e.updated()).isEqualTo(1));
        assertThat(freshUntil(id).get(handle)).as("the new card's own freshness").isAfter(oldFreshness);
        assertIndexMatches(id, registry);
    }

    @Test
    void freshnessIsCappedByTheMaxFreshnessSetting() {
        SimulatedRegistry registry = registry("capped", 8);
        // two days promised; the worker trusts one hour (marketplace.sync.card-max-freshness)
        registry.setCardMaxAge(Duration.ofDays(2));
        Instant firstSync = Instant.now();
        UUID id = connected(registry);

        assertFreshUntil(id, firstSync.plus(DEFAULT_CAP));
    }

    @Test
    void maxAgeZeroIsNotFresh() {
        SimulatedRegistry registry = registry("zero", 6);
        registry.setCardMaxAge(Duration.ZERO);
        UUID id = connected(registry);
        assertThat(freshUntil(id).values()).containsOnlyNulls();
        RegistryStats before = registry.stats();

        sync(id);

        assertThat(registry.stats().cards() - before.cards()).isEqualTo(registry.size());
    }

    @Test
    void aLargeRegistryCarriesCardFreshnessThroughChunkStaging() {
        // above the chunk threshold of the test context (50): fetched in chunks on Kafka, staged, applied at once
        SimulatedRegistry registry = registry("chunked", 70);
        registry.setCardMaxAge(Duration.ofSeconds(1));
        UUID id = register(registry);
        assertThat(awaitRebuild(sync(id))).isEqualTo("ok");
        Map<String, Instant> firstFreshness = freshUntil(id);
        assertThat(firstFreshness).hasSize(registry.size());
        assertThat(firstFreshness.values()).doesNotContainNull();
        sleepUntil(firstFreshness.values().stream().max(Instant::compareTo).orElseThrow().plusMillis(200));
        Map<String, Object> rows = rowsFingerprint(id);
        changesOf(id, Duration.ofMillis(300));

        registry.setCardMaxAge(Duration.ofSeconds(600));
        RegistryStats before = registry.stats();
        Instant revalidatedAt = Instant.now();
        assertThat(awaitRebuild(sync(id))).as("staged as card_revalidated, applied without a row").isEqualTo("unchanged");
        assertThat(registry.stats().cards() - before.cards()).isEqualTo(registry.size());
        assertThat(rowsFingerprint(id)).isEqualTo(rows);
        assertThat(changesOf(id, Duration.ofSeconds(1))).isEmpty();
        assertFreshUntil(id, revalidatedAt.plusSeconds(600));

        RegistryStats beforeThird = registry.stats();
        assertThat(awaitRebuild(sync(id))).isEqualTo("unchanged");
        assertThat(registry.stats().cards() - beforeThird.cards()).isZero();
        assertThat(registry.stats().records() - beforeThird.records()).isEqualTo(registry.size());
    }

    // ------------------------------------------------------------------------------ helpers

    private SimulatedRegistry registry(String prefix, int agents) {
        return simulator.addRegistry(prefix + "-" + NAMES.incrementAndGet(), agents, 40L + NAMES.get());
    }

    private void assertNothingWritten(UUID id, UUID rebuild, Map<String, Object> rows, Map<String, Object> sources,
                                      int agents) {
        assertThat(rowsFingerprint(id)).isEqualTo(rows);
        assertThat(sourcesFingerprint(id)).isEqualTo(sources);
        assertThat(progressStatus(rebuild)).isEqualTo("unchanged");
        assertThat(changesOf(id, Duration.ofSeconds(1))).isEmpty();
        JsonNode counts = lastCounts(id);
        assertThat(counts.get("unchanged").asInt()).isEqualTo(agents);
        assertThat(counts.get("added").asInt() + counts.get("updated").asInt() + counts.get("removed").asInt()).isZero();
    }

    /** Every card of the registry is fresh until about {@code expected} (the sync took a moment). */
    private void assertFreshUntil(UUID id, Instant expected) {
        Map<String, Instant> freshness = freshUntil(id);
        assertThat(freshness).isNotEmpty();
        freshness.values().forEach(until -> assertThat(until).isNotNull()
                .isCloseTo(expected, within(Duration.ofSeconds(20))));
    }

    private UUID connected(SimulatedRegistry registry) {
        UUID id = register(registry);
        UUID rebuild = sync(id);
        assertThat(progressStatus(rebuild)).isEqualTo("ok");
        assertIndexMatches(id, registry);
        // the first sync's event is drained, so each test counts only its own
        changesOf(id, Duration.ofMillis(300));
        return id;
    }

    private UUID sync(UUID id) {
        UUID rebuild = UUID.randomUUID();
        syncer.sync(new SyncRequest(id, rebuild, RebuildReason.OPERATOR, Instant.now(), false));
        return rebuild;
    }

    private JsonNode lastCounts(UUID id) {
        return json.readTree(jdbc.sql("SELECT last_counts::text FROM marketplace_registries WHERE id = ?").param(id)
                .query(String.class).single());
    }

    private List<CatalogChanged> changesOf(UUID id, Duration wait) {
        return changes(changes, wait).stream().filter(e -> e.registryId().equals(id)).toList();
    }

    private double freshCardsSkipped() {
        return meters.counter("marketplace.sync.cards.fresh").count();
    }

    private long catalogGeneration() {
        return jdbc.sql("SELECT generation FROM marketplace_catalog_state WHERE id = 1").query(Long.class).single();
    }

    private Map<String, Instant> freshUntil(UUID id) {
        Map<String, Instant> out = new HashMap<>();
        jdbc.sql("SELECT handle, card_fresh_until FROM marketplace_catalog_sources WHERE registry_id = ?").param(id)
                .query((rs, n) -> {
                    Timestamp t = rs.getTimestamp(2);
                    out.put(rs.getString(1), t == null ? null : t.toInstant());
                    return null;
                }).list();
        return out;
    }

    private String agentName(UUID id, String handle) {
        return jdbc.sql("SELECT agent->>'name' FROM marketplace_catalog_rows WHERE registry_id = ? AND handle = ?")
                .params(id, handle).query(String.class).single();
    }

    private Map<String, Object> rowsFingerprint(UUID id) {
        return jdbc.sql("""
                        SELECT count(*) AS n, max(updated_at) AS last_update, max(change_xid) AS change_xid,
                               string_agg(encode(content_hash, 'hex'), ',' ORDER BY handle) AS hashes
                        FROM marketplace_catalog_rows WHERE registry_id = ?
                        """)
                .param(id).query().singleRow();
    }

    /** Everything of the source rows, freshness included: a no-op must not touch them at all. */
    private Map<String, Object> sourcesFingerprint(UUID id) {
        return jdbc.sql("""
                        SELECT count(*) AS n, max(fetched_at) AS last_fetch,
                               string_agg(md5(record::text || card::text || coalesce(record_etag, '')
                                   || coalesce(card_etag, '') || coalesce(card_fresh_until::text, '')), ','
                                   ORDER BY handle) AS digest
                        FROM marketplace_catalog_sources WHERE registry_id = ?
                        """)
                .param(id).query().singleRow();
    }

    /** The source documents and validators without freshness: a revalidation moves only the latter. */
    private String sourceDocuments(UUID id) {
        return jdbc.sql("""
                        SELECT string_agg(md5(record::text || card::text || coalesce(record_etag, '')
                                   || coalesce(card_etag, '') || coalesce(card_error, '') || fetched_at::text), ','
                                   ORDER BY handle)
                        FROM marketplace_catalog_sources WHERE registry_id = ?
                        """)
                .param(id).query(String.class).single();
    }

    private static void sleepUntil(Instant instant) {
        long millis = Duration.between(Instant.now(), instant).toMillis();
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
