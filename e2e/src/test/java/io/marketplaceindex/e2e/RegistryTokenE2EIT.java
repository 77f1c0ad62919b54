package io.marketplaceindex.e2e;

import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.testsupport.TestServices;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A registry's token changes at the registry; the operator edits it in place over HTTP. The registry
 * is re-synced with the new token and keeps every row, and neither token ever shows up in an API
 * answer, in the output of any service process, or in any record of the command and dead-letter topics.
 */
class RegistryTokenE2EIT {

    private static final String OLD_TOKEN = "e2e-old-token-" + UUID.randomUUID();
    private static final String NEW_TOKEN = "e2e-new-token-" + UUID.randomUUID();

    @Test
    void anEditedTokenResyncsTheRegistryAndNeverAppearsInAnswersLogsOrTopics() throws IOException {
        try (SystemStack stack = SystemStack.start(SystemStack.Options.defaults().withName("registry-tokens")
                .withWorkers(1))) {
            Api api = new Api(stack.apiUrl());
            List<String> answers = new ArrayList<>();
            SimulatedRegistry registry = stack.simulator().addRegistry("guarded", 40, 91L);
            registry.setAuthToken(OLD_TOKEN);
            Api.Answer connect = api.asAdmin("POST", "/api/settings/registries", "{\"name\":\"Guarded\",\"url\":\""
                    + registry.baseUrl() + "\",\"authToken\":\"" + OLD_TOKEN + "\",\"sendTokenToCards\":true}");
            assertThat(connect.status()).isEqualTo(202);
            answers.add(connect.body().toString());
            String id = connect.body().get("id").asString();
            api.awaitCatalog("the registry indexed", Duration.ofSeconds(120),
                    page -> page.get("total").asLong() == registry.size());

            registry.setAuthToken(NEW_TOKEN);
            Api.Answer refused = api.asAdmin("PATCH", "/api/settings/registries/" + id,
                    "{\"authToken\":\"not-the-registry-token\"}");
            assertThat(refused.status()).isEqualTo(422);
            Api.Answer edit = api.asAdmin("PATCH", "/api/settings/registries/" + id,
                    "{\"name\":\"Guarded v2\",\"authToken\":\"" + NEW_TOKEN + "\"}");
            assertThat(edit.status()).isEqualTo(202);
            answers.add(edit.body().toString());
            JsonNode progress = awaitFinished(api, edit.body().get("progress").asString());
            answers.add(progress.toString());
            assertThat(progress.get("registries").get(0).get("status").asString()).isEqualTo("ok");

            api.awaitCatalog("the new name served", Duration.ofSeconds(60),
                    page -> page.get("data").get(0).get("registryName").asString().equals("Guarded v2"));
            List<JsonNode> agents = api.allAgents("");
            assertThat(agents).hasSize(registry.size())
                    .allSatisfy(a -> assertThat(a.get("registryName").asString()).isEqualTo("Guarded v2"));
            JsonNode detail = api.asAdmin("GET", "/api/settings/registries/" + id, null).body();
            answers.add(detail.toString());
            assertThat(detail.get("data").get("lastSyncStatus").asString()).isEqualTo("ok");
            assertThat(detail.get("data").get("hasAuthToken").asBoolean()).isTrue();
            List<String> history = new ArrayList<>();
            detail.get("commands").forEach(c -> history.add(c.get("command").asString() + ":"
                    + c.get("status").asString() + ":" + c.get("requested_by").asString()));
            assertThat(history).contains("connect:accepted:bootstrap-token", "edit:accepted:bootstrap-token");
            answers.add(api.asAdmin("GET", "/api/settings/registries", null).body().toString());
            answers.add(api.get("/api/marketplace?limit=200").body().toString());

            assertThat(answers).allSatisfy(a -> assertThat(a).doesNotContain(OLD_TOKEN).doesNotContain(NEW_TOKEN));
            List<String> commands = rawRecords(stack.topics().commands());
            assertThat(commands).anySatisfy(c -> assertThat(c).contains("registry.edit").contains("enc:v1:"));
            assertThat(commands).noneSatisfy(c -> assertThat(c).containsAnyOf(OLD_TOKEN, NEW_TOKEN));
            assertThat(rawRecords(stack.topics().commandsDeadLetter()))
                    .noneSatisfy(c -> assertThat(c).containsAnyOf(OLD_TOKEN, NEW_TOKEN));
            assertLogsFree(stack.logDirectory());
        }
    }

    private static JsonNode awaitFinished(Api api, String progressPath) {
        return api.awaitAdmin("the edit's re-sync to finish", Duration.ofSeconds(90), progressPath, answer -> {
            JsonNode progress = answer.body();
            return progress != null && progress.get("started").asInt() == 1 && progress.get("finished").asInt() == 1;
        }).body();
    }

    /** Every record of a topic, value and headers, as text. */
    private static List<String> rawRecords(String topic) {
        List<String> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = TestServices.topicReader(topic)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(250))) {
                    StringBuilder text = new StringBuilder(new String(record.value(), StandardCharsets.UTF_8));
                    for (Header header : record.headers()) {
                        text.append('\n').append(header.key()).append('=')
                                .append(new String(header.value(), StandardCharsets.UTF_8));
                    }
                    records.add(text.toString());
                }
            }
        }
        return records;
    }

    private static void assertLogsFree(Path directory) throws IOException {
        List<Path> logs;
        try (Stream<Path> files = Files.list(directory)) {
            logs = files.filter(f -> f.toString().endsWith(".log")).toList();
        }
        assertThat(logs).as("the api-service's and the worker's output").hasSizeGreaterThanOrEqualTo(2);
        for (Path log : logs) {
            String text = Files.readString(log);
            assertThat(text).as(log.toString()).isNotBlank().doesNotContain(OLD_TOKEN).doesNotContain(NEW_TOKEN);
        }
    }
}
