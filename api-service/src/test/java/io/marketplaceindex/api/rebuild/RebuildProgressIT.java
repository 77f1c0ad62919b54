package io.marketplaceindex.api.rebuild;

import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.testsupport.CatalogSeeder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rebuild progress as the api-service records and serves it: every registry queued from the moment the
 * rebuild is accepted, the worker's lines replacing the queued ones, the event stream, and which
 * registries the scheduled producer finds due by their recommended TTL. The worker's writes are made
 * here as the worker makes them (marketplace_rebuild_progress, as the owner); the whole path with a real
 * worker is RebuildEventsE2EIT's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RebuildProgressIT extends ApiTestSupport {

    @Autowired
    RebuildService rebuilds;

    private CatalogSeeder seeder;
    private UUID north;
    private UUID south;

    @BeforeAll
    void seed() {
        seeder = new CatalogSeeder(DATABASE);
        north = seeder.registry("progress-north", "https://north.progress.example");
        south = seeder.registry("progress-south", "https://south.progress.example");
    }

    @AfterAll
    void close() {
        seeder.close();
    }

    @Test
    void everyRegistryIsQueuedTheMomentTheRebuildIsAccepted() {
        Answer accepted = send("POST", "/api/marketplace/index-rebuild", ids(north, south), admin());
        assertThat(accepted.status()).isEqualTo(202);
        JsonNode progress = accepted.body().get("progress");
        assertThat(progress.get("total").asInt()).isEqualTo(2);
        assertThat(progress.get("queued").asInt()).isEqualTo(2);
        assertThat(statuses(progress)).containsExactly("queued", "queued");
        String rebuildId = accepted.body().get("rebuildId").asString();
        assertThat(accepted.body().get("links").get("events").asString())
                .isEqualTo("/api/marketplace/index-rebuild/" + rebuildId + "/events");

        // no worker runs here: the progress stays queued, with the request's reason and time
        JsonNode read = get("/api/marketplace/index-rebuild/" + rebuildId, admin()).body();
        assertThat(statuses(read)).containsExactly("queued", "queued");
        assertThat(read.get("registries").get(0).get("reason").asString()).isEqualTo("operator");
        assertThat(read.get("registries").get(0).get("requestedAt").isNull()).isFalse();
        assertThat(read.get("started").asInt()).isZero();
        assertThat(read.get("finished").asInt()).isZero();

        // a worker's line replaces the queued one; the other stays queued
        workerLine(UUID.fromString(rebuildId), north, "syncing", null);
        read = get("/api/marketplace/index-rebuild/" + rebuildId, admin()).body();
        assertThat(read.get("total").asInt()).isEqualTo(2);
        assertThat(read.get("queued").asInt()).isEqualTo(1);
        assertThat(read.get("started").asInt()).isEqualTo(1);
        assertThat(statuses(read)).containsExactly("syncing", "queued");
    }

    @Test
    void theEventStreamFollowsEachRegistryUntilTheRebuildEnds() throws Exception {
        UUID rebuild = UUID.fromString(send("POST", "/api/marketplace/index-rebuild", ids(north, south), admin())
                .body().get("rebuildId").asString());
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(uri("/api/marketplace/index-rebuild/"
                        + rebuild + "/events")).header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        CompletableFuture<List<String>> events = CompletableFuture.supplyAsync(() -> events(stream.body()));

        pause();
        workerLine(rebuild, north, "syncing", null);
        pause();
        workerLine(rebuild, north, "ok", "{\"counts\":{\"added\":3,\"updated\":0,\"removed\":0}}");
        pause();
        workerLine(rebuild, south, "syncing", null);
        pause();
        workerLine(rebuild, south, "failed", "{\"error\":\"registry answered 503\"}");

        List<String> received = events.get(20, TimeUnit.SECONDS);
        assertThat(received).containsExactly(
                "registry progress-north queued", "registry progress-south queued",
                "registry progress-north syncing", "registry progress-north ok added=3",
                "registry progress-south syncing", "registry progress-south failed registry answered 503",
                "end total=2 failed=1");
    }

    @Test
    void anUnknownRebuildHasNoStreamAndStreamsNeedAnOperator() {
        Answer unknown = get("/api/marketplace/index-rebuild/" + UUID.randomUUID() + "/events", admin());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().get("error").asString()).startsWith("no rebuild ");
        // as an event-stream client asks: still a plain 404 with its reason
        Answer asStream = get("/api/marketplace/index-rebuild/" + UUID.randomUUID() + "/events",
                "Authorization", "Bearer " + ADMIN_TOKEN, "Accept", "text/event-stream");
        assertThat(asStream.status()).isEqualTo(404);
        assertThat(asStream.body().get("error").asString()).startsWith("no rebuild ");
        assertThat(get("/api/marketplace/index-rebuild/not-an-id/events", admin()).status()).isEqualTo(400);
        assertThat(get("/api/marketplace/index-rebuild/" + UUID.randomUUID() + "/events").status()).isEqualTo(401);
    }

    @Test
    void registriesAreDueByTheirRecommendedTtlOnly() {
        UUID fresh = seeder.registry("ttl-fresh", "https://fresh.ttl.example");
        UUID due = seeder.registry("ttl-due", "https://due.ttl.example");
        UUID requested = seeder.registry("ttl-requested", "https://requested.ttl.example");
        UUID syncing = seeder.registry("ttl-syncing", "https://syncing.ttl.example");
        UUID disabled = seeder.registry("ttl-disabled", "https://disabled.ttl.example");
        UUID none = seeder.registry("ttl-none", "https://none.ttl.example");
        Instant now = Instant.now();
        ttl(fresh, 600, now.minusSeconds(300), "ok", true);
        ttl(due, 600, now.minusSeconds(900), "ok", true);
        ttl(requested, 600, now.minusSeconds(900), "ok", true);
        ttl(syncing, 600, now.minusSeconds(900), "syncing", true);
        ttl(disabled, 600, now.minusSeconds(900), "ok", false);
        sql("UPDATE marketplace_registries SET last_attempt_at = ? WHERE id = ?", Timestamp.from(now.minusSeconds(900)), none);
        // a request newer than the TTL counts as a sync on its way
        sql("INSERT INTO marketplace_control.rebuild_requests (rebuild_id, registry_id, reason, requested_at) "
                + "VALUES (?, ?, 'cron', ?)", UUID.randomUUID(), requested, Timestamp.from(now.minusSeconds(60)));

        List<UUID> selected = rebuilds.dueByTtl(now);
        assertThat(selected).contains(due).doesNotContain(fresh, requested, syncing, disabled, none);
        // and later, once the request is older than the TTL too
        assertThat(rebuilds.dueByTtl(now.plusSeconds(600))).contains(due, requested, fresh)
                .doesNotContain(syncing, disabled, none);
    }

    private static void ttl(UUID registry, int seconds, Instant lastAttempt, String status, boolean enabled) {
        sql("UPDATE marketplace_registries SET recommended_ttl_seconds = ?, last_attempt_at = ?, sync_status = ?, "
                + "enabled = ? WHERE id = ?", seconds, Timestamp.from(lastAttempt), status, enabled, registry);
    }

    /** As SyncStateStore writes it. */
    private static void workerLine(UUID rebuild, UUID registry, String status, String detail) {
        sql("""
                INSERT INTO marketplace_rebuild_progress (rebuild_id, registry_id, reason, status, finished_at, detail)
                VALUES (?, ?, 'operator', ?, CASE WHEN ? = 'syncing' THEN NULL ELSE now() END, coalesce(?::jsonb, '{}'))
                ON CONFLICT (rebuild_id, registry_id) DO UPDATE
                SET status = EXCLUDED.status, finished_at = EXCLUDED.finished_at, detail = EXCLUDED.detail
                """, rebuild, registry, status, status, detail);
    }

    /** Each event as one short line: its name, the registry's name and state, the counts or error. */
    private static List<String> events(InputStream body) {
        List<String> events = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String name = null;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    JsonNode data = JSON.readTree(line.substring(5));
                    events.add("end".equals(name)
                            ? "end total=" + data.get("total").asInt() + " failed=" + data.get("failed").asInt()
                            : (name + " " + data.get("name").asString() + " " + data.get("status").asString()
                            + (data.has("counts") ? " added=" + data.get("counts").get("added").asInt() : "")
                            + (data.has("error") ? " " + data.get("error").asString() : "")));
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return events;
    }

    /** Longer than the stream's poll interval, so that each state is seen on its own. */
    private static void pause() throws InterruptedException {
        Thread.sleep(1200);
    }

    private static List<String> statuses(JsonNode progress) {
        List<String> statuses = new ArrayList<>();
        progress.get("registries").forEach(line -> statuses.add(line.get("status").asString()));
        return statuses;
    }

    private static String ids(UUID... ids) {
        return "{\"registryIds\":[" + String.join(",", java.util.Arrays.stream(ids).map(id -> "\"" + id + "\"").toList())
                + "]}";
    }

}
