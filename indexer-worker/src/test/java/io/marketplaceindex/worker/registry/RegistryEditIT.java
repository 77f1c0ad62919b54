package io.marketplaceindex.worker.registry;

import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.secrets.TokenCipher;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.worker.WorkerTestSupport;
import io.marketplaceindex.worker.sync.RegistrySyncer;
import io.marketplaceindex.worker.sync.SyncRequest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.kafka.core.KafkaOperations;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Editing a registry over Kafka, as the API publishes it: the registry keeps its rows and is synced
 * with its new settings; its token is ciphertext on the topics, in the dead-letter topic and in the
 * database, and never appears in the worker's output.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class RegistryEditIT extends WorkerTestSupport {

    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final String OLD_TOKEN = "old-registry-token-" + UUID.randomUUID();
    private static final String NEW_TOKEN = "new-registry-token-" + UUID.randomUUID();
    private static final String OPERATOR = "ops@example.org";

    /** What the API encrypts with: the same key as the worker's. */
    private final TokenCipher apiCipher = TokenCipher.of(TOKEN_KEY, null);

    @Autowired
    KafkaOperations<String, byte[]> kafka;

    @Autowired
    TokenReencryption reencryption;

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
    void editingTheTokenAndNameResyncsWithTheNewTokenAndLosesNoRow(CapturedOutput output) throws Exception {
        LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
        // the command handler logs every command at debug: the line an edit's token could leak into
        logging.setLogLevel("io.marketplaceindex.worker", LogLevel.DEBUG);
        try (KafkaConsumer<String, byte[]> commands = consumer(topics().commands())) {
            SimulatedRegistry registry = simulator.addRegistry("edit-" + NAMES.incrementAndGet(), 12, 61L);
            registry.setAuthToken(OLD_TOKEN);
            UUID id = UUID.randomUUID();
            UUID connect = UUID.randomUUID();
            send(new RegistryCommand.Connect(connect, id, Instant.now(), "Before", registry.baseUrl(),
                    apiCipher.encrypt(OLD_TOKEN, id), true, OPERATOR));
            assertThat(awaitRebuild(connect)).isEqualTo("ok");
            assertIndexMatches(id, registry);

            // the registry rotates its token: the stored one is refused from now on
            registry.setAuthToken(NEW_TOKEN);
            long refusedBefore = registry.stats().unauthorized();
            UUID edit = UUID.randomUUID();
            send(new RegistryCommand.Edit(edit, id, Instant.now(), "After", null, apiCipher.encrypt(NEW_TOKEN, id),
                    null, null, OPERATOR));
            assertThat(awaitRebuild(edit)).isEqualTo("ok");

            assertIndexMatches(id, registry);
            assertThat(registry.stats().unauthorized()).as("every request of the re-sync carried the new token")
                    .isEqualTo(refusedBefore);
            assertThat(jdbc.sql("SELECT count(*) FROM marketplace_catalog_tombstones WHERE registry_id = ?").param(id)
                    .query(Integer.class).single()).as("no row was removed").isZero();
            assertThat(jdbc.sql("SELECT DISTINCT agent->>'registryName' FROM marketplace_catalog_rows WHERE registry_id = ?")
                    .param(id).query(String.class).list()).containsExactly("After");
            Map<String, Object> row = registryRow(id);
            assertThat(row.get("name")).isEqualTo("After");
            assertThat(row.get("last_sync_status")).isEqualTo("ok");
            assertThat(row.get("send_token_to_cards")).isEqualTo(true);
            String stored = (String) row.get("auth_token");
            assertThat(TokenCipher.keyIdOf(stored)).isEqualTo(apiCipher.currentKeyId());
            assertThat(stored).doesNotContain(NEW_TOKEN);
            assertThat(apiCipher.decrypt(stored, id)).isEqualTo(NEW_TOKEN);
            assertThat(jdbc.sql("""
                            SELECT command || ':' || status || ':' || requested_by FROM marketplace_command_results
                            WHERE registry_id = ? ORDER BY recorded_at
                            """).param(id).query(String.class).list())
                    .containsExactly("connect:accepted:" + OPERATOR, "edit:accepted:" + OPERATOR);

            List<String> published = rawValues(commands, id, 2);
            assertThat(published).hasSize(2).allSatisfy(value -> assertThat(value).contains(TokenCipher.PREFIX)
                    .doesNotContain(OLD_TOKEN).doesNotContain(NEW_TOKEN));
            assertThat(output.getAll()).contains("Edit[commandId=" + edit).contains("authToken=(replaced)")
                    .doesNotContain(OLD_TOKEN).doesNotContain(NEW_TOKEN);
        } finally {
            logging.setLogLevel("io.marketplaceindex.worker", null);
        }
    }

    /** The registry moved host: same handles, new base URL. Every row stays and now names the new URL. */
    @Test
    void aRegistryThatMovedKeepsItsRowsWhichNameTheNewUrl() throws Exception {
        try (RegistrySimulator newHost = RegistrySimulator.start(SimulatorOptions.defaults())) {
            String name = "moving-" + NAMES.incrementAndGet();
            SimulatedRegistry before = simulator.addRegistry(name, 10, 69L);
            SimulatedRegistry after = newHost.addRegistry(name, 10, 69L);
            assertThat(after.handles()).isEqualTo(before.handles());
            UUID id = UUID.randomUUID();
            UUID connect = UUID.randomUUID();
            send(new RegistryCommand.Connect(connect, id, Instant.now(), "Moving", before.baseUrl(), null, null, OPERATOR));
            assertThat(awaitRebuild(connect)).isEqualTo("ok");

            UUID move = UUID.randomUUID();
            send(new RegistryCommand.Edit(move, id, Instant.now(), null, after.baseUrl(), null, null, null, OPERATOR));
            assertThat(awaitRebuild(move)).isEqualTo("ok");

            assertIndexMatches(id, after);
            assertThat(registryRow(id).get("url")).isEqualTo(after.baseUrl());
            assertThat(jdbc.sql("SELECT DISTINCT agent->>'registryUrl' FROM marketplace_catalog_rows WHERE registry_id = ?")
                    .param(id).query(String.class).list()).containsExactly(after.baseUrl());
            assertThat(jdbc.sql("SELECT count(*) FROM marketplace_catalog_tombstones WHERE registry_id = ?").param(id)
                    .query(Integer.class).single()).as("no row was removed").isZero();
            // the old host's validators were dropped: every record was fetched whole from the new one
            assertThat(after.stats().notModified()).isZero();
            assertThat(after.stats().records()).isEqualTo(after.size());
        }
    }

    @Test
    void aClearedTokenIsGoneAndAKeptOneStays() throws Exception {
        SimulatedRegistry registry = simulator.addRegistry("keep-" + NAMES.incrementAndGet(), 4, 62L);
        registry.setAuthToken(OLD_TOKEN);
        UUID id = UUID.randomUUID();
        UUID connect = UUID.randomUUID();
        send(new RegistryCommand.Connect(connect, id, Instant.now(), "Keep", registry.baseUrl(),
                apiCipher.encrypt(OLD_TOKEN, id), true, OPERATOR));
        assertThat(awaitRebuild(connect)).isEqualTo("ok");
        String sealed = (String) registryRow(id).get("auth_token");

        UUID rename = UUID.randomUUID();
        send(new RegistryCommand.Edit(rename, id, Instant.now(), "Kept token", null, null, null, null, OPERATOR));
        assertThat(awaitRebuild(rename)).isEqualTo("ok");
        assertThat(registryRow(id).get("auth_token")).as("kept as it was").isEqualTo(sealed);

        registry.setAuthToken(null);
        UUID clear = UUID.randomUUID();
        send(new RegistryCommand.Edit(clear, id, Instant.now(), null, null, null, true, false, OPERATOR));
        assertThat(awaitRebuild(clear)).isIn("ok", "unchanged");
        assertThat(registryRow(id).get("auth_token")).isNull();
        assertThat(registryRow(id).get("send_token_to_cards")).isEqualTo(false);
        assertIndexMatches(id, registry);
    }

    @Test
    void anEditToAnotherRegistrysUrlIsRefusedAndChangesNothing() throws Exception {
        SimulatedRegistry first = simulator.addRegistry("first-" + NAMES.incrementAndGet(), 3, 63L);
        SimulatedRegistry second = simulator.addRegistry("second-" + NAMES.incrementAndGet(), 3, 64L);
        UUID firstId = register(first);
        register(second);
        UUID edit = UUID.randomUUID();
        send(new RegistryCommand.Edit(edit, firstId, Instant.now(), "Moved", second.baseUrl() + "/", null, null, null,
                OPERATOR));
        await("the edit's result", Duration.ofSeconds(60), () -> !jdbc.sql(
                "SELECT status FROM marketplace_command_results WHERE command_id = ?").param(edit).query(String.class)
                .list().isEmpty());
        assertThat(jdbc.sql("SELECT status || ':' || error FROM marketplace_command_results WHERE command_id = ?")
                .param(edit).query(String.class).single()).isEqualTo("rejected:a registry with url "
                + second.baseUrl() + " is already connected");
        assertThat(registryRow(firstId).get("url")).isEqualTo(first.baseUrl());
        assertThat(registryRow(firstId).get("name")).isEqualTo(first.name());
    }

    /** A command every attempt at which fails is parked with its bytes as they were: ciphertext only. */
    @Test
    void theDeadLetterTopicCarriesOnlyCiphertext() throws Exception {
        SimulatedRegistry registry = simulator.addRegistry("dead-" + NAMES.incrementAndGet(), 3, 65L);
        UUID id = register(registry);
        String fault = "edit_fault_" + id.toString().replace("-", "");
        jdbc.sql("""
                CREATE FUNCTION %1$s() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.id = '%2$s' THEN
                        RAISE EXCEPTION 'injected database fault';
                    END IF;
                    RETURN NEW;
                END $$""".formatted(fault, id)).update();
        jdbc.sql("CREATE TRIGGER " + fault + " BEFORE UPDATE ON marketplace_registries FOR EACH ROW EXECUTE FUNCTION "
                + fault + "()").update();
        try (KafkaConsumer<String, byte[]> deadLetters = consumer(topics().commandsDeadLetter())) {
            send(new RegistryCommand.Edit(UUID.randomUUID(), id, Instant.now(), null, null,
                    apiCipher.encrypt(NEW_TOKEN, id), null, null, OPERATOR));
            List<ConsumerRecord<String, byte[]>> parked = records(deadLetters, id, 1, Duration.ofSeconds(90));
            assertThat(parked).hasSize(1);
            String value = new String(parked.get(0).value(), StandardCharsets.UTF_8);
            assertThat(value).contains("registry.edit").contains(TokenCipher.PREFIX).doesNotContain(NEW_TOKEN);
            for (Header header : parked.get(0).headers()) {
                assertThat(new String(header.value(), StandardCharsets.UTF_8)).as(header.key()).doesNotContain(NEW_TOKEN);
            }
        } finally {
            jdbc.sql("DROP TRIGGER " + fault + " ON marketplace_registries").update();
            jdbc.sql("DROP FUNCTION " + fault + "()").update();
        }
    }

    @Test
    void plainTextAndPreviousKeyTokensAreReencryptedUnderTheCurrentKey() {
        UUID plain = register(simulator.addRegistry("plain-" + NAMES.incrementAndGet(), 1, 66L));
        UUID previous = register(simulator.addRegistry("previous-" + NAMES.incrementAndGet(), 1, 67L));
        jdbc.sql("UPDATE marketplace_registries SET auth_token = ? WHERE id = ?").params("legacy-plain-token", plain)
                .update();
        String underPrevious = TokenCipher.of(PREVIOUS_TOKEN_KEY, null).encrypt("previous-key-token", previous);
        jdbc.sql("UPDATE marketplace_registries SET auth_token = ? WHERE id = ?").params(underPrevious, previous)
                .update();

        TokenReencryption.Pass pass = reencryption.run();

        assertThat(pass.reencrypted()).isGreaterThanOrEqualTo(2);
        String plainNow = (String) registryRow(plain).get("auth_token");
        String previousNow = (String) registryRow(previous).get("auth_token");
        assertThat(TokenCipher.keyIdOf(plainNow)).isEqualTo(apiCipher.currentKeyId());
        assertThat(TokenCipher.keyIdOf(previousNow)).isEqualTo(apiCipher.currentKeyId());
        // the current key alone decrypts them now: the previous key can be retired
        assertThat(apiCipher.decrypt(plainNow, plain)).isEqualTo("legacy-plain-token");
        assertThat(apiCipher.decrypt(previousNow, previous)).isEqualTo("previous-key-token");
        reencryption.run();
        assertThat(registryRow(plain).get("auth_token")).as("a second pass leaves them").isEqualTo(plainNow);
    }

    @Test
    void aTokenUnderAnUnknownKeyFailsTheSyncWithAReasonAndSendsNothing() {
        SimulatedRegistry registry = simulator.addRegistry("lost-key-" + NAMES.incrementAndGet(), 3, 68L);
        UUID id = register(registry);
        String underLostKey = TokenCipher.of(io.marketplaceindex.testsupport.TestServices.newTokenKey("lost"), null)
                .encrypt("t", id);
        jdbc.sql("UPDATE marketplace_registries SET auth_token = ? WHERE id = ?").params(underLostKey, id).update();
        long requests = registry.requestCount();

        syncer.sync(new SyncRequest(id, UUID.randomUUID(), RebuildReason.OPERATOR, Instant.now(), false));

        assertThat(registryRow(id).get("sync_status")).isEqualTo("failed");
        assertThat((String) registryRow(id).get("last_error")).contains("'lost'").contains("not configured");
        assertThat(registry.requestCount()).isEqualTo(requests);
    }

    private void send(RegistryCommand command) throws Exception {
        kafka.send(topics().commands(), command.registryId().toString(), codec.encode(command)).get(10, TimeUnit.SECONDS);
    }

    private List<String> rawValues(KafkaConsumer<String, byte[]> consumer, UUID key, int count) {
        return records(consumer, key, count, Duration.ofSeconds(15)).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    private static List<ConsumerRecord<String, byte[]>> records(KafkaConsumer<String, byte[]> consumer, UUID key,
                                                                int count, Duration wait) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        while (found.size() < count && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (key.toString().equals(record.key())) {
                    found.add(record);
                }
            }
        }
        return found;
    }
}
