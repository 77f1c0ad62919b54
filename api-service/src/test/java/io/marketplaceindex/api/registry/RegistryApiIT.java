package io.marketplaceindex.api.registry;

import io.marketplaceindex.api.account.Caller;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.account.SignIns;
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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryApiIT extends ApiTestSupport {

    private RegistrySimulator simulator;
    private SimulatedRegistry registry;
    private KafkaConsumer<String, byte[]> commands;
    private final EventCodec codec = new EventCodec();

    @BeforeAll
    void start() {
        simulator = RegistrySimulator.start(SimulatorOptions.defaults());
        registry = simulator.addRegistry("gamma", 5, 7L);
        commands = TestServices.topicReader(new Topics(TOPIC_PREFIX).commands());
        // the topics are shared by every class of this test run: what classes before this one published
        // is read and dropped here, so the assertions below see this class's commands alone
        drain(Duration.ofSeconds(5));
    }

    @AfterAll
    void stop() {
        commands.close();
        simulator.close();
    }

    @Test
    void operatorEndpointsRefuseAnonymousAndWrongTokens() {
        assertThat(get("/api/settings/registries").status()).isEqualTo(401);
        assertThat(send("POST", "/api/settings/registries", "{}").status()).isEqualTo(401);
        assertThat(send("POST", "/api/marketplace/index-rebuild", null).status()).isEqualTo(401);
        assertThat(get("/api/settings/registries", "Authorization", "Bearer wrong").status()).isEqualTo(401);
        assertThat(get("/api/settings/registries", admin()).status()).isEqualTo(200);
    }

    @Test
    void refusesBadInputWithReasonsAndPublishesNothing() {
        Map<String, Integer> cases = Map.of(
                "{\"name\":\"x\",\"url\":\"ftp://registry.example\"}", 400,
                "{\"name\":\"x\",\"url\":\"not a url\"}", 400,
                "{\"name\":\"\",\"url\":\"https://registry.example\"}", 400,
                "{\"url\":\"https://registry.example\"}", 400,
                "{\"name\":\"x\",\"url\":\"https://user:pw@registry.example\"}", 400,
                // PostgreSQL holds no U+0000: refused here, not by the worker after a 202
                "{\"name\":\"x\\u0000y\",\"url\":\"https://registry.example\"}", 400,
                "{\"name\":\"x\",\"url\":\"https://registry.example\",\"authToken\":\"t\\u0000\"}", 400,
                "not json", 400,
                // nothing listens there: the health probe fails
                "{\"name\":\"x\",\"url\":\"http://127.0.0.1:9\"}", 422);
        cases.forEach((body, status) -> {
            Answer answer = send("POST", "/api/settings/registries", body, admin());
            assertThat(answer.status()).as(body).isEqualTo(status);
            assertThat(answer.body().get("error").asString()).as(body).isNotBlank();
        });
        assertThat(drain(Duration.ofSeconds(2))).isEmpty();
    }

    /** A 202 promises progress; for a rebuild of nothing none would ever come. */
    @Test
    void aRebuildOfNothingIsRefusedWithAReason() {
        Answer empty = send("POST", "/api/marketplace/index-rebuild", "{\"registryIds\":[]}", admin());
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.body().get("error").asString()).contains("registryIds is empty");
        sql("CREATE TABLE rebuild_test_enabled AS SELECT id FROM marketplace_registries WHERE enabled");
        sql("UPDATE marketplace_registries SET enabled = false");
        try {
            Answer none = send("POST", "/api/marketplace/index-rebuild", "{}", admin());
            assertThat(none.status()).isEqualTo(409);
            assertThat(none.body().get("error").asString()).isEqualTo("no enabled registry to rebuild");
        } finally {
            sql("UPDATE marketplace_registries SET enabled = true WHERE id IN (SELECT id FROM rebuild_test_enabled)");
            sql("DROP TABLE rebuild_test_enabled");
        }
        assertThat(drain(Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void connectsAHealthyRegistryByPublishingACommand() {
        String body = "{\"name\":\"Gamma\",\"url\":\"" + registry.baseUrl() + "/\",\"authToken\":\"tok-123\"}";
        Answer answer = send("POST", "/api/settings/registries", body, admin());
        assertThat(answer.status()).isEqualTo(202);
        String id = answer.body().get("id").asString();
        assertThat(answer.raw().body()).doesNotContain("tok-123");

        List<RegistryCommand> published = drainUntil(1);
        assertThat(published).singleElement().isInstanceOfSatisfying(RegistryCommand.Connect.class, c -> {
            assertThat(c.registryId().toString()).isEqualTo(id);
            assertThat(c.url()).isEqualTo(registry.baseUrl());
            // published encrypted, for this registry only
            assertThat(c.authToken()).startsWith(TokenCipher.PREFIX).doesNotContain("tok-123");
            assertThat(TokenCipher.of(TOKEN_KEY, null).decrypt(c.authToken(), c.registryId())).isEqualTo("tok-123");
            assertThat(c.tokenToCards()).isFalse();
            assertThat(c.requestedBy()).isEqualTo(Caller.BOOTSTRAP_TOKEN);
        });
    }

    @Test
    void connectCarriesTheOperatorsChoiceToSendTheTokenToCards() {
        SimulatedRegistry delta = simulator.addRegistry("delta", 3, 8L);
        String body = "{\"name\":\"Delta\",\"url\":\"" + delta.baseUrl()
                + "\",\"authToken\":\"tok-456\",\"sendTokenToCards\":true}";
        Answer answer = send("POST", "/api/settings/registries", body, admin());
        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.body().get("sendTokenToCards").asBoolean()).isTrue();

        assertThat(drainUntil(1)).singleElement().isInstanceOfSatisfying(RegistryCommand.Connect.class,
                c -> assertThat(c.tokenToCards()).isTrue());
    }

    @Test
    void refusesADuplicateRegistry() {
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.registry("Existing", "https://existing.example.org");
        }
        Answer answer = send("POST", "/api/settings/registries",
                "{\"name\":\"again\",\"url\":\"https://EXISTING.example.org//\"}", admin());
        assertThat(answer.status()).isEqualTo(409);
        assertThat(answer.body().get("error").asString()).contains("already connected");
    }

    @Test
    void patchAndDeleteNeedAnExistingRegistry() {
        String unknown = UUID.randomUUID().toString();
        assertThat(send("PATCH", "/api/settings/registries", "{\"id\":\"" + unknown + "\",\"enabled\":false}", admin())
                .status()).isEqualTo(404);
        assertThat(send("DELETE", "/api/settings/registries?id=" + unknown, null, admin()).status()).isEqualTo(404);
        assertThat(send("DELETE", "/api/settings/registries?id=nope", null, admin()).status()).isEqualTo(400);
        assertThat(send("PATCH", "/api/settings/registries", "{\"id\":\"" + unknown + "\"}", admin()).status())
                .isEqualTo(400);
    }

    /** A command's requested_by names the account, with the token's name when one of its tokens asked. */
    @Test
    void commandsNameWhoAskedForThem() {
        UUID registryId;
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            registryId = seeder.registry("Asked", "https://asked.example.org");
        }
        String email = "ops-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        assertThat(send("POST", "/api/settings/users",
                "{\"email\":\"" + email + "\",\"password\":\"a long enough password\",\"role\":\"operator\"}",
                admin()).status()).isEqualTo(201);
        SignIns.Session ops = new SignIns(this::send).signIn(email, "a long enough password");
        Answer token = send("POST", "/api/settings/tokens", "{\"name\":\"ci-bot\"}", ops.headers());
        assertThat(token.status()).isEqualTo(201);
        String body = "{\"id\":\"" + registryId + "\",\"enabled\":true}";
        assertThat(send("PATCH", "/api/settings/registries", body, "Authorization",
                "Bearer " + token.body().get("token").asString()).status()).isEqualTo(202);
        assertThat(send("PATCH", "/api/settings/registries", body, ops.headers()).status()).isEqualTo(202);
        assertThat(send("PATCH", "/api/settings/registries", body, admin()).status()).isEqualTo(202);

        assertThat(drainUntil(3)).filteredOn(c -> registryId.equals(c.registryId()))
                .extracting(RegistryCommand::requestedBy)
                .containsExactly(email + " (token ci-bot)", email, "bootstrap-token");
    }

    @Test
    void sessionLoginGrantsOperatorAccess() {
        Answer wrong = send("POST", "/api/auth/login", "{\"email\":\"" + ADMIN_EMAIL + "\",\"password\":\"nope\"}");
        assertThat(wrong.status()).isEqualTo(401);
        Answer ok = send("POST", "/api/auth/login",
                "{\"email\":\"" + ADMIN_EMAIL + "\",\"password\":\"" + ADMIN_PASSWORD + "\"}");
        assertThat(ok.status()).isEqualTo(200);
        String cookie = ok.raw().headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict");
        String session = cookie.substring(0, cookie.indexOf(';'));
        assertThat(get("/api/settings/registries", "Cookie", session).status()).isEqualTo(200);
        assertThat(get("/api/auth/me", "Cookie", session).body().get("role").asString()).isEqualTo("admin");
    }

    private List<RegistryCommand> drain(Duration wait) {
        List<RegistryCommand> result = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : commands.poll(Duration.ofMillis(200))) {
                result.add(codec.decodeCommand(record.value()));
            }
        }
        return result;
    }

    private List<RegistryCommand> drainUntil(int count) {
        List<RegistryCommand> result = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (result.size() < count && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : commands.poll(Duration.ofMillis(200))) {
                result.add(codec.decodeCommand(record.value()));
            }
        }
        return result;
    }
}
