package io.marketplaceindex.api.registry;

import io.marketplaceindex.api.account.Caller;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.events.EventCodec;
import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.events.Topics;
import io.marketplaceindex.secrets.TokenCipher;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.testsupport.CatalogSeeder;
import io.marketplaceindex.testsupport.TestServices;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PATCH /api/settings/registries/{id}: validated as connect is (a 4xx with a reason, nothing
 * published), probed with the new URL and the new or kept token, published with the token encrypted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class RegistryEditApiIT extends ApiTestSupport {

    private static final String STORED_TOKEN = "stored-token-" + UUID.randomUUID();
    private static final String NEW_TOKEN = "new-token-" + UUID.randomUUID();

    private final TokenCipher cipher = TokenCipher.of(TOKEN_KEY, null);
    private final EventCodec codec = new EventCodec();
    private RegistrySimulator simulator;
    private SimulatedRegistry guarded;
    private SimulatedRegistry other;
    private UUID guardedId;
    private UUID otherId;
    private KafkaConsumer<String, byte[]> commands;

    @BeforeAll
    void start() {
        simulator = RegistrySimulator.start(SimulatorOptions.defaults());
        guarded = simulator.addRegistry("guarded", 3, 71L);
        guarded.setAuthToken(STORED_TOKEN);
        other = simulator.addRegistry("other", 3, 72L);
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            guardedId = seeder.registry("Guarded", guarded.baseUrl());
            otherId = seeder.registry("Other", other.baseUrl());
        }
        sql("UPDATE marketplace_registries SET auth_token = ? WHERE id = ?", cipher.encrypt(STORED_TOKEN, guardedId),
                guardedId);
        commands = TestServices.topicReader(new Topics(TOPIC_PREFIX).commands());
    }

    @AfterAll
    void stop() {
        commands.close();
        simulator.close();
    }

    @Test
    void badEditsAreRefusedWithAReasonAndPublishNothing() {
        String path = "/api/settings/registries/" + guardedId;
        Map<String, Integer> cases = new LinkedHashMap<>();
        cases.put("{}", 400);
        cases.put("not json", 400);
        cases.put("{\"name\":\"  \"}", 400);
        cases.put("{\"name\":\"" + "n".repeat(RegistryController.MAX_NAME_LENGTH + 1) + "\"}", 400);
        cases.put("{\"name\":\"x\\u0000y\"}", 400);
        cases.put("{\"url\":\"ftp://registry.example\"}", 400);
        cases.put("{\"url\":\"https://user:pw@registry.example\"}", 400);
        cases.put("{\"authToken\":\"t\",\"clearAuthToken\":true}", 400);
        cases.put("{\"authToken\":\"  \"}", 400);
        cases.put("{\"authToken\":\"t\\u0000\"}", 400);
        // another registry's URL, however it is spelled
        cases.put("{\"url\":\"" + other.baseUrl() + "//\"}", 409);
        // nothing listens there
        cases.put("{\"url\":\"http://127.0.0.1:9\"}", 422);
        // the registry refuses this token; and without any token
        cases.put("{\"authToken\":\"wrong-token\"}", 422);
        cases.put("{\"clearAuthToken\":true}", 422);
        cases.forEach((body, status) -> {
            Answer answer = send("PATCH", path, body, admin());
            assertThat(answer.status()).as(body).isEqualTo(status);
            assertThat(answer.body().get("error").asString()).as(body).isNotBlank();
        });
        assertThat(send("PATCH", "/api/settings/registries/" + UUID.randomUUID(), "{\"name\":\"x\"}", admin()).status())
                .isEqualTo(404);
        assertThat(send("PATCH", "/api/settings/registries/not-an-id", "{\"name\":\"x\"}", admin()).status())
                .isEqualTo(400);
        assertThat(send("PATCH", path, "{\"name\":\"x\"}").status()).isEqualTo(401);
        assertThat(send("PATCH", path, "{\"name\":\"x\"}", "Authorization", "Bearer wrong").status()).isEqualTo(401);
        assertThat(commandsFor(guardedId, Duration.ofSeconds(2), 0)).isEmpty();
    }

    @Test
    void anEditIsProbedWithTheNewTokenAndPublishedEncrypted(CapturedOutput output) {
        // the registry rotates its token; the operator hands over the new one
        guarded.setAuthToken(NEW_TOKEN);
        try {
            Answer answer = send("PATCH", "/api/settings/registries/" + guardedId,
                    "{\"name\":\"Guarded, renamed\",\"authToken\":\"" + NEW_TOKEN + "\",\"sendTokenToCards\":true}",
                    admin());
            assertThat(answer.status()).as(answer.raw().body()).isEqualTo(202);
            assertThat(answer.raw().body()).doesNotContain(NEW_TOKEN);
            assertThat(answer.body().get("authToken").asString()).isEqualTo("replaced");
            String commandId = answer.body().get("commandId").asString();
            assertThat(answer.body().get("progress").asString()).isEqualTo("/api/marketplace/index-rebuild/" + commandId);

            List<ConsumerRecord<String, byte[]>> published = commandsFor(guardedId, Duration.ofSeconds(15), 1);
            assertThat(published).hasSize(1);
            assertThat(new String(published.get(0).value(), StandardCharsets.UTF_8)).doesNotContain(NEW_TOKEN)
                    .doesNotContain(STORED_TOKEN);
            assertThat(codec.decodeCommand(published.get(0).value())).isInstanceOfSatisfying(RegistryCommand.Edit.class,
                    edit -> {
                        assertThat(edit.commandId().toString()).isEqualTo(commandId);
                        assertThat(edit.name()).isEqualTo("Guarded, renamed");
                        assertThat(edit.url()).isNull();
                        assertThat(cipher.decrypt(edit.authToken(), guardedId)).isEqualTo(NEW_TOKEN);
                        assertThat(edit.clearsToken()).isFalse();
                        assertThat(edit.sendTokenToCards()).isTrue();
                        assertThat(edit.requestedBy()).isEqualTo(Caller.BOOTSTRAP_TOKEN);
                    });
        } finally {
            guarded.setAuthToken(STORED_TOKEN);
        }
        // a URL change keeps the stored token, which the API decrypts for the probe
        Answer moved = send("PATCH", "/api/settings/registries/" + guardedId,
                "{\"url\":\"" + guarded.baseUrl() + "/\"}", admin());
        assertThat(moved.status()).as(moved.raw().body()).isEqualTo(202);
        assertThat(moved.body().get("authToken").asString()).isEqualTo("kept");
        assertThat(commandsFor(guardedId, Duration.ofSeconds(15), 1)).singleElement()
                .satisfies(r -> assertThat(codec.decodeCommand(r.value())).isInstanceOfSatisfying(
                        RegistryCommand.Edit.class, edit -> assertThat(edit.authToken()).isNull()));

        Answer detail = get("/api/settings/registries/" + guardedId, admin());
        assertThat(detail.raw().body()).doesNotContain(STORED_TOKEN).doesNotContain(TokenCipher.PREFIX);
        assertThat(detail.body().get("data").get("hasAuthToken").asBoolean()).isTrue();
        assertThat(output.getAll()).doesNotContain(NEW_TOKEN).doesNotContain(STORED_TOKEN);
    }

    @Test
    void theCommandHistoryShowsWhoAsked() {
        UUID command = UUID.randomUUID();
        sql("""
                INSERT INTO marketplace_command_results (command_id, registry_id, command, status, requested_by)
                VALUES (?, ?, 'edit', 'accepted', 'ops@example.org')
                """, command, otherId);
        Answer detail = get("/api/settings/registries/" + otherId, admin());
        assertThat(detail.body().get("commands").get(0).get("requested_by").asString()).isEqualTo("ops@example.org");
        Answer result = get("/api/settings/registries/commands/" + command, admin());
        assertThat(result.body().get("data").get("requested_by").asString()).isEqualTo("ops@example.org");
    }

    private List<ConsumerRecord<String, byte[]>> commandsFor(UUID registryId, Duration wait, int enough) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        while ((enough == 0 || found.size() < enough) && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : commands.poll(Duration.ofMillis(200))) {
                if (registryId.toString().equals(record.key())) {
                    found.add(record);
                }
            }
        }
        return found;
    }
}
