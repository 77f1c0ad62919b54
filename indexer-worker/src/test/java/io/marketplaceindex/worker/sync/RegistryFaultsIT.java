package io.marketplaceindex.worker.sync;

import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.simulator.Fault;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.worker.WorkerTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile and broken registries over real HTTP: each ends in its documented outcome, the
 * registry's last good rows survive, and a healthy registry synced at the same time is unaffected.
 * (The test context allows loopback registries; cloud-metadata addresses stay refused regardless.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryFaultsIT extends WorkerTestSupport {

    private static final AtomicInteger NAMES = new AtomicInteger();

    @Autowired
    RegistrySyncer syncer;

    private RegistrySimulator simulator;

    @BeforeAll
    void start() {
        simulator = RegistrySimulator.start(SimulatorOptions.defaults());
    }

    @AfterAll
    void stop() {
        simulator.close();
    }

    @Test
    void aHangingRegistryTimesOutGoesStaleAndDoesNotHoldUpAHealthyOne() throws Exception {
        SimulatedRegistry slow = simulator.addRegistry("hang-" + NAMES.incrementAndGet(), 10, 41L);
        SimulatedRegistry healthy = simulator.addRegistry("healthy-" + NAMES.incrementAndGet(), 25, 42L);
        UUID slowId = connected(slow);
        UUID healthyId = register(healthy);
        List<String> before = handles(slowId);

        slow.setFault(Fault.hang(Fault.Target.listing(), Duration.ofSeconds(20)));
        CompletableFuture<Void> slowSync = CompletableFuture.runAsync(() -> sync(slowId));
        long started = System.nanoTime();
        sync(healthyId);
        long healthyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(slowSync).as("the hanging registry is still being waited for").isNotDone();
        assertThat(status(healthyId)).isEqualTo("ok");
        assertThat(handles(healthyId)).hasSize(healthy.size());

        slowSync.get(60, TimeUnit.SECONDS);
        assertThat(status(slowId)).isEqualTo("stale");
        assertThat((String) registryRow(slowId).get("last_error")).containsIgnoringCase("timed out");
        // the catalog's meta.sources shows this instead: no host, no port, no "timed out"
        assertThat(registryRow(slowId).get("last_error_public")).isEqualTo("registry: unreachable");
        assertThat(handles(slowId)).isEqualTo(before);
        assertThat(healthyMillis).isPositive();
    }

    @Test
    void aSlowlyTricklingRecordIsCutOffAndItsRowKept() {
        SimulatedRegistry registry = simulator.addRegistry("trickle-" + NAMES.incrementAndGet(), 10, 43L);
        UUID id = connected(registry);
        String handle = registry.handles().get(2);
        String nameBefore = name(id, handle);
        registry.updateAgent(handle, "Never arrives");
        registry.setFault(Fault.slowBody(Fault.Target.record(handle), Duration.ofMillis(500)));

        sync(id);

        assertThat(status(id)).isEqualTo("ok");
        assertThat(name(id, handle)).isEqualTo(nameBefore);
        assertThat(recentErrors(id)).contains(handle).containsIgnoringCase("timeout");
    }

    @Test
    void aRateLimitedListingIsRetriedAfterRetryAfter() {
        SimulatedRegistry registry = simulator.addRegistry("ratelimit-" + NAMES.incrementAndGet(), 8, 44L);
        UUID id = register(registry);
        registry.setFault(Fault.rateLimited(Fault.Target.listing(), 1).firstRequests(1));

        long started = System.nanoTime();
        sync(id);

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(900);
        assertThat(status(id)).isEqualTo("ok");
        assertThat(handles(id)).hasSize(registry.size());
    }

    @Test
    void aServerErrorThatClearsOnRetryCostsNothing() {
        SimulatedRegistry registry = simulator.addRegistry("flaky-" + NAMES.incrementAndGet(), 8, 45L);
        UUID id = register(registry);
        registry.setFault(Fault.status(Fault.Target.listing(), 503).firstRequests(1));
        registry.setFault(Fault.status(Fault.Target.records(), 500).firstRequests(3));

        sync(id);

        assertThat(status(id)).isEqualTo("ok");
        assertThat(handles(id)).hasSize(registry.size());
    }

    @Test
    void aCardRedirectingToTheCloudMetadataAddressIsRefusedAndTheLastGoodCardKept() {
        SimulatedRegistry registry = simulator.addRegistry("redirect-" + NAMES.incrementAndGet(), 10, 46L);
        UUID id = connected(registry);
        String handle = registry.handles().get(4);
        String nameBefore = name(id, handle);
        registry.updateAgent(handle, "Served from the metadata service");
        registry.setFault(Fault.redirect(Fault.Target.card(handle), "http://169.254.169.254/latest/meta-data/"));

        sync(id);

        assertThat(status(id)).isEqualTo("ok");
        assertThat(name(id, handle)).isEqualTo(nameBefore);
        // operators read the detail; the agent's public cardError reads like any unreachable card
        assertThat(recentErrors(id)).contains(handle).contains("169.254.169.254");
        assertThat(cardError(id, handle)).isEqualTo("agent card: unreachable");
    }

    @Test
    void aRegistryDemandingATokenFailsWith401AndKeepsItsRows() {
        SimulatedRegistry registry = simulator.addRegistry("token-" + NAMES.incrementAndGet(), 6, 47L);
        UUID id = connected(registry);
        registry.setAuthToken("s3cret-registry-token");

        sync(id);

        Map<String, Object> row = registryRow(id);
        assertThat(row.get("last_sync_status")).isEqualTo("http_401");
        assertThat(row.get("sync_status")).isEqualTo("stale");
        assertThat(handles(id)).hasSize(registry.size());

        // the simulator guards its cards with the token too: a registry whose operator sends it to cards
        jdbc.sql("UPDATE marketplace_registries SET auth_token = ?, send_token_to_cards = true WHERE id = ?")
                .params("s3cret-registry-token", id).update();
        sync(id);
        assertThat(status(id)).isEqualTo("ok");
        assertThat(recentErrors(id)).doesNotContain("s3cret-registry-token");
    }

    /**
     * Card URLs are the agent publisher's choice and cards are served publicly: the registry's token
     * goes to them only when the operator enabled it for this registry. The simulator answers 401 to
     * every request without the token, cards included, so each card request that lacked it is counted.
     */
    @Test
    void theTokenGoesToCardsOnlyWhenTheOperatorEnabledIt() {
        SimulatedRegistry registry = simulator.addRegistry("card-token-" + NAMES.incrementAndGet(), 5, 50L);
        registry.setAuthToken("card-scope-token");
        UUID id = register(registry);
        jdbc.sql("UPDATE marketplace_registries SET auth_token = ? WHERE id = ?").params("card-scope-token", id).update();

        sync(id);

        assertThat(status(id)).isEqualTo("ok");
        assertThat(handles(id)).hasSize(registry.size());
        // listing and records carried the token; every card went without it
        assertThat(registry.stats().unauthorized()).isEqualTo(registry.size());
        assertThat(cardErrors(id)).hasSize(registry.size()).allSatisfy(e -> assertThat(e).contains("401"));

        jdbc.sql("UPDATE marketplace_registries SET send_token_to_cards = true WHERE id = ?").param(id).update();
        sync(id);

        assertThat(status(id)).isEqualTo("ok");
        assertThat(registry.stats().unauthorized()).isEqualTo(registry.size());
        assertThat(cardErrors(id)).isEmpty();
    }

    @Test
    void aNulCharacterInARecordDoesNotFailTheRegistry() {
        SimulatedRegistry registry = simulator.addRegistry("nul-" + NAMES.incrementAndGet(), 6, 48L);
        UUID id = register(registry);
        String handle = registry.handles().get(1);
        String record = "{\"schema\":\"hive-registry-record-v1\",\"handle\":\"" + handle + "\","
                + "\"updatedAt\":\"2026-11-26T00:00:00Z\",\"agentCardUrl\":\"" + registry.cardUrl(handle) + "\","
                + "\"version\":\"1\\u00002\",\"capabilities\":[\"nul\\u0000tag\",\"clean\"]}";
        registry.setFault(Fault.malformed(Fault.Target.record(handle), record));

        sync(id);

        assertThat(status(id)).isEqualTo("ok");
        assertThat(handles(id)).hasSize(registry.size());
        assertThat(jdbc.sql("SELECT (agent->'tags') @> '[\"clean\"]'::jsonb FROM marketplace_catalog_rows WHERE registry_id = ? AND handle = ?")
                .params(id, handle).query(Boolean.class).single()).isTrue();
        assertThat(source(id, handle, "record", "version")).isEqualTo("1\ufffd2");
    }

    @Test
    void documentsJsonbCannotReadAsSentAreStoredWrittenAgain() {
        SimulatedRegistry registry = simulator.addRegistry("unreadable-" + NAMES.incrementAndGet(), 6, 49L);
        UUID id = register(registry);
        String bomHandle = registry.handles().get(0);
        String nulHandle = registry.handles().get(1);
        String surrogateHandle = registry.handles().get(2);
        registry.setFault(Fault.malformed(Fault.Target.record(bomHandle), "\ufeff{\"schema\":\"hive-registry-record-v1\","
                + "\"handle\":\"" + bomHandle + "\",\"agentCardUrl\":\"" + registry.cardUrl(bomHandle) + "\","
                + "\"version\":\"bom\"}"));
        registry.setFault(Fault.malformed(Fault.Target.card(nulHandle),
                "{\"name\":\"nul\\u0000name\",\"description\":\"kept\"}"));
        registry.setFault(Fault.malformed(Fault.Target.card(surrogateHandle),
                "{\"name\":\"lone \\ud800 name\",\"description\":\"kept\"}"));

        sync(id);

        assertThat(status(id)).isEqualTo("ok");
        assertThat(handles(id)).hasSize(registry.size());
        assertThat(source(id, bomHandle, "record", "version")).isEqualTo("bom");
        assertThat(source(id, nulHandle, "card", "name")).isEqualTo("nul\ufffdname");
        assertThat(source(id, nulHandle, "card", "description")).isEqualTo("kept");
        assertThat(source(id, surrogateHandle, "card", "description")).isEqualTo("kept");
        // an unstorable name is no name: the agent is shown by its handle
        assertThat(name(id, surrogateHandle)).isEqualTo(surrogateHandle);
        assertThat(name(id, nulHandle)).isEqualTo(nulHandle);
    }

    private UUID connected(SimulatedRegistry registry) {
        UUID id = register(registry);
        sync(id);
        assertThat(status(id)).isEqualTo("ok");
        assertThat(handles(id)).hasSize(registry.size());
        return id;
    }

    private void sync(UUID id) {
        syncer.sync(new SyncRequest(id, UUID.randomUUID(), RebuildReason.OPERATOR, Instant.now(), false));
    }

    private String status(UUID id) {
        return jdbc.sql("SELECT sync_status FROM marketplace_registries WHERE id = ?").param(id)
                .query(String.class).single();
    }

    private String name(UUID id, String handle) {
        return jdbc.sql("SELECT agent->>'name' FROM marketplace_catalog_rows WHERE registry_id = ? AND handle = ?")
                .params(id, handle).query(String.class).single();
    }

    /** A string field of a stored record or card. */
    private String source(UUID id, String handle, String document, String field) {
        return jdbc.sql("SELECT " + document + "::jsonb ->> ? FROM marketplace_catalog_sources WHERE registry_id = ? AND handle = ?")
                .params(field, id, handle).query(String.class).single();
    }

    private String cardError(UUID id, String handle) {
        return jdbc.sql("SELECT card_error FROM marketplace_catalog_sources WHERE registry_id = ? AND handle = ?")
                .params(id, handle).query(String.class).optional().orElse(null);
    }

    private List<String> cardErrors(UUID id) {
        return jdbc.sql("SELECT card_error FROM marketplace_catalog_sources WHERE registry_id = ? AND card_error IS NOT NULL")
                .param(id).query(String.class).list();
    }

    private String recentErrors(UUID id) {
        return jdbc.sql("SELECT recent_errors::text FROM marketplace_registries WHERE id = ?").param(id)
                .query(String.class).single();
    }
}
