package io.marketplaceindex.e2e;

import io.marketplaceindex.simulator.Fault;
import io.marketplaceindex.simulator.SimulatedRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real rebuild (simulated registries, Kafka, worker processes) followed through its server-sent
 * events by a real HTTP client: every registry queued in the answer, then each registry's changes of
 * state in order, ending with its outcome, and the stream closed by an end event.
 */
@ExtendWith(SystemStack.Extension.class)
class RebuildEventsE2EIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void anOperatorFollowsARebuildAsEventsUntilItEnds(SystemStack stack) throws Exception {
        Api api = new Api(stack.apiUrl());
        SimulatedRegistry east = stack.simulator().addRegistry("events-east", 40, 31L);
        SimulatedRegistry west = stack.simulator().addRegistry("events-west", 30, 32L);
        Map<String, String> ids = new LinkedHashMap<>();
        for (SimulatedRegistry registry : List.of(east, west)) {
            Api.Answer connected = api.asAdmin("POST", "/api/settings/registries",
                    "{\"name\":\"" + registry.name() + "\",\"url\":\"" + registry.baseUrl() + "\"}");
            assertThat(connected.status()).isEqualTo(202);
            ids.put(registry.name(), connected.body().get("id").asString());
        }
        api.awaitCatalog("both registries indexed", Duration.ofSeconds(90), page ->
                api.get("/api/marketplace?limit=1&registryUrl=" + east.baseUrl()).body().get("total").asLong() == east.size()
                        && api.get("/api/marketplace?limit=1&registryUrl=" + west.baseUrl()).body().get("total").asLong() == west.size());

        // east answers slowly (its sync is seen syncing), west cannot be listed (it fails)
        east.setLatency(Duration.ofMillis(250));
        west.setFault(Fault.status(Fault.Target.listing(), 404));
        try {
            Api.Answer accepted = api.asAdmin("POST", "/api/marketplace/index-rebuild",
                    "{\"registryIds\":[\"" + ids.get("events-east") + "\",\"" + ids.get("events-west") + "\"],\"force\":true}");
            assertThat(accepted.status()).isEqualTo(202);
            List<String> queued = new ArrayList<>();
            accepted.body().get("progress").get("registries").forEach(l -> queued.add(l.get("status").asString()));
            assertThat(queued).containsExactly("queued", "queued");

            HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(stack.apiUrl() + accepted.body().get("links").get("events").asString()))
                    .header("Authorization", "Bearer " + SystemStack.ADMIN_TOKEN).header("Accept", "text/event-stream")
                    .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(stream.statusCode()).isEqualTo(200);
            List<JsonNode[]> events = CompletableFuture.supplyAsync(() -> read(stream.body()))
                    .get(120, TimeUnit.SECONDS);

            Map<String, List<String>> states = new LinkedHashMap<>();
            Map<String, JsonNode> last = new LinkedHashMap<>();
            JsonNode end = null;
            for (JsonNode[] event : events) {
                String name = event[0].asString();
                if ("registry".equals(name)) {
                    states.computeIfAbsent(event[1].get("name").asString(), n -> new ArrayList<>())
                            .add(event[1].get("status").asString());
                    last.put(event[1].get("name").asString(), event[1]);
                } else {
                    assertThat(name).as("the last event").isEqualTo("end");
                    assertThat(end).as("one end event").isNull();
                    end = event[1];
                }
            }
            assertThat(end).as("the stream ended with the rebuild").isNotNull();
            assertThat(end.get("total").asInt()).isEqualTo(2);
            assertThat(end.get("failed").asInt()).isEqualTo(1);
            // each state once, in order; queued or syncing may pass between two reads, never an outcome
            List<String> eastStates = states.get("events-east");
            assertThat(eastStates).isSubsetOf("queued", "syncing", "unchanged", "ok").doesNotHaveDuplicates()
                    .contains("syncing");
            assertThat(eastStates.get(eastStates.size() - 1)).isIn("unchanged", "ok");
            assertThat(states.get("events-west")).isSubsetOf("queued", "syncing", "failed")
                    .endsWith("failed").doesNotHaveDuplicates();
            assertThat(last.get("events-east").get("counts").get("listed").asInt()).isEqualTo(east.size());
            assertThat(last.get("events-west").get("error").asString()).isNotBlank();
        } finally {
            east.setLatency(Duration.ZERO);
            west.clearFaults();
        }

        // The command line follows the same stream: with its polling slowed to ten minutes it still ends as
        // soon as the rebuild does (polling alone would sleep past its three-minute timeout and fail).
        long started = System.nanoTime();
        SystemStack.CommandResult cli = stack.indexSync("--registry=" + ids.get("events-east"), "--poll-interval=PT10M",
                "--timeout=PT3M");
        assertThat(cli.exitCode()).as(cli.output()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(90));
        assertThat(cli.stdout()).contains("events-east").contains("1/1 registries finished (0 failed)");

        Api.Answer unknown = api.asAdmin("GET", "/api/marketplace/index-rebuild/" + java.util.UUID.randomUUID() + "/events", null);
        assertThat(unknown.status()).isEqualTo(404);
    }

    /** Each event's name and data, until the server closes the stream. */
    private static List<JsonNode[]> read(InputStream body) {
        List<JsonNode[]> events = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String name = "message";
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    events.add(new JsonNode[]{JSON.getNodeFactory().textNode(name), JSON.readTree(line.substring(5))});
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return events;
    }
}
