package io.marketplaceindex.e2e;

import io.marketplaceindex.simulator.Fault;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.testsupport.StoppableServers;
import io.marketplaceindex.testsupport.StoppableServers.Stoppable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The system survives its infrastructure failing under it. The stack runs on a PostgreSQL server, a
 * Redis server and a Kafka broker of this class's own (real processes on free ports, started as the
 * project's scripts start them), so each can be stopped and started again on the same port with its
 * data. In order: the broker restarted during a rebuild of 30 registries; Redis restarted while the
 * API serves; PostgreSQL restarted while the API serves and a worker syncs; the api-service restarted
 * while clients read. Each test measures how long the system took to recover and writes its figures
 * to {@code target/e2e-logs/e2e_faults/figures.md}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InfrastructureFaultsE2EIT {

    private static final Logger log = LoggerFactory.getLogger(InfrastructureFaultsE2EIT.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final int REGISTRIES = 30;
    private static final int AGENTS = 100;
    private static final Path WORK = Path.of("target", "e2e-faults").toAbsolutePath();

    private Stoppable postgres;
    private Stoppable redis;
    private Stoppable kafka;
    private SystemStack stack;
    private Api api;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<SimulatedRegistry> registries = new ArrayList<>();
    private final Map<String, String> idsByName = new HashMap<>();
    private Path figures;

    @BeforeAll
    void startServersAndStack() throws IOException {
        postgres = StoppableServers.postgres(WORK.resolve("postgres"));
        redis = StoppableServers.redis(WORK.resolve("redis.log"));
        kafka = StoppableServers.kafka(WORK.resolve("kafka"));
        postgres.start();
        redis.start();
        kafka.start();
        stack = SystemStack.start(SystemStack.Options.defaults()
                .withName("e2e_faults")
                .withWorkers(1)
                .withServers(new SystemStack.Servers("jdbc:postgresql://127.0.0.1:" + postgres.port() + "/",
                        "redis://127.0.0.1:" + redis.port(), "127.0.0.1:" + kafka.port()))
                .withWorkerEnv(Map.of(
                        // commands wait in Kafka rather than in a worker's memory, so that a rebuild
                        // needs the broker until its last registry starts
                        "MARKETPLACE_KAFKA_MAX_BUFFERED_COMMANDS", "3",
                        "SPRING_KAFKA_CONSUMER_PROPERTIES_SESSION_TIMEOUT_MS", "6000",
                        "SPRING_KAFKA_CONSUMER_PROPERTIES_HEARTBEAT_INTERVAL_MS", "1500"))
                // latency makes a rebuild last long enough to fail a server in the middle of it
                .withSimulator(SimulatorOptions.defaults().withThreads(160).withLatency(Duration.ofMillis(50))));
        api = new Api(stack.apiUrl());
        figures = Path.of("target", "e2e-logs", "e2e_faults", "figures.md");
        Files.writeString(figures, "# Infrastructure faults, " + LocalDate.now() + "\n\n");

        // Connected registries are synced at once; an empty first listing keeps that sync trivial, so
        // the rebuild of the first test is what fills the index.
        for (int i = 1; i <= REGISTRIES; i++) {
            SimulatedRegistry registry = stack.simulator().addRegistry(String.format("if-%02d", i), AGENTS, 300L + i);
            registry.setFault(Fault.emptyListing().firstRequests(1));
            registries.add(registry);
            Api.Answer connected = api.asAdmin("POST", "/api/settings/registries",
                    "{\"name\":\"" + registry.name() + "\",\"url\":\"" + registry.baseUrl() + "\"}");
            assertThat(connected.status()).as("connect %s", registry.name()).isEqualTo(202);
            idsByName.put(registry.name(), connected.body().get("id").asString());
        }
        awaitCondition("every registry connected and synced once", Duration.ofSeconds(90), () -> {
            int ok = 0;
            for (JsonNode r : api.asAdmin("GET", "/api/settings/registries", null).body().get("data")) {
                ok += "ok".equals(r.path("lastSyncStatus").asString("")) ? 1 : 0;
            }
            return ok == REGISTRIES;
        });
    }

    @AfterAll
    void stopEverything() {
        try (Stoppable p = postgres; Stoppable r = redis; Stoppable k = kafka) {
            if (stack != null) {
                stack.close();
            }
        }
    }

    /** The broker stopped and started again mid-rebuild; the index ends exactly the registries' catalogs. */
    @Test
    @Order(1)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void kafkaBrokerRestartedDuringARebuildOf30Registries() {
        Api.Answer rebuild = api.asAdmin("POST", "/api/marketplace/index-rebuild", null);
        assertThat(rebuild.status()).isEqualTo(202);
        String progress = "/api/marketplace/index-rebuild/" + rebuild.body().get("rebuildId").asString();
        JsonNode atStop = awaitProgress("the rebuild to be under way", Duration.ofSeconds(90), progress,
                p -> p.get("finished").asInt() >= 2);
        int finishedAtStop = atStop.get("finished").asInt();
        assertThat(finishedAtStop).as("registries finished when the broker stops").isLessThan(REGISTRIES - 5);

        long stopping = System.nanoTime();
        kafka.stop();
        long stopped = System.nanoTime();
        log.info("broker stopped in {} ms with {} of {} registries finished", ms(stopping, stopped), finishedAtStop,
                REGISTRIES);
        SystemStack.sleep(5_000);
        int finishedWhileDown = api.asAdmin("GET", progress, null).body().get("finished").asInt();
        long starting = System.nanoTime();
        kafka.start();
        long started = System.nanoTime();

        JsonNode done = awaitProgress("the rebuild to finish after the broker is back", Duration.ofSeconds(180),
                progress, p -> p.get("finished").asInt() == REGISTRIES);
        long finished = System.nanoTime();
        for (JsonNode line : done.get("registries")) {
            // "coalesced": a command whose offset was not committed before the broker stopped was delivered
            // again and found its registry synced by the first delivery
            assertThat(line.get("status").asString()).as("rebuild of %s", line.get("name").asString())
                    .isIn("ok", "coalesced");
        }
        assertIndexEqualsTheRegistries();
        record("Kafka broker stopped and restarted during a rebuild of " + REGISTRIES + " × " + AGENTS + " agents",
                "registries finished when the broker stopped: " + finishedAtStop + "; while it was down: "
                        + finishedWhileDown,
                "broker down " + ms(stopping, started) + " ms (controlled shutdown " + ms(stopping, stopped)
                        + " ms, start " + ms(starting, started) + " ms)",
                "rebuild finished " + ms(started, finished) + " ms after the broker was back; every registry ok"
                        + " or coalesced; rows lost 0, duplicated 0 (" + REGISTRIES * AGENTS + " agents compared)");
    }

    /** Redis stopped and started again while the API serves; answers go on, caching resumes, nothing stale. */
    @Test
    @Order(2)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void redisRestartedWhileServing() {
        SimulatedRegistry registry = registries.get(0);
        String page = "/api/marketplace?limit=" + AGENTS + "&registryUrl=" + encode(registry.baseUrl());
        awaitRead("the page cached", page, r -> r.status() == 200 && "hit".equals(cacheOf(r)));

        long down = System.nanoTime();
        redis.stop();
        // uncached queries: each one is answered from PostgreSQL, and says so
        int tried = 0;
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Read r = read("/api/marketplace?limit=5&q=" + encode("if-" + i % 10) + "&offset=" + i);
            tried++;
            if (r.status() != 200 || !"bypass: redis unavailable".equals(cacheOf(r))) {
                wrong.add(r.status() + " " + (r.body() == null ? r.connectionError() : cacheOf(r)));
            }
        }
        assertThat(wrong).as("answers while Redis is down").isEmpty();

        // a change while Redis is down reaches the page
        String renamedDown = "Renamed while Redis is down";
        registry.updateAgent(registry.handles().get(0), renamedDown);
        long changedDown = rebuildAndAwait(registry);
        Shown shownDown = awaitChange(page, renamedDown);

        long starting = System.nanoTime();
        redis.start();
        long up = System.nanoTime();
        // caching resumes: an answer computed now is a hit on the next read
        int[] attempt = {0};
        awaitCondition("caching to resume after Redis is back", Duration.ofSeconds(90), () -> {
            String fresh = "/api/marketplace?limit=3&offset=" + (1000 + attempt[0]++);
            Read first = read(fresh);
            Read second = read(fresh);
            return first.status() == 200 && "miss".equals(cacheOf(first)) && "hit".equals(cacheOf(second));
        });
        long resumed = System.nanoTime();

        // a change after Redis is back: the cached page moves with it
        String renamedUp = "Renamed after Redis is back";
        registry.updateAgent(registry.handles().get(1), renamedUp);
        long changedUp = rebuildAndAwait(registry);
        Shown shownUp = awaitChange(page, renamedUp);
        assertThat(cacheOf(read(page))).as("the changed page cached again").isEqualTo("hit");
        assertIndexEqualsTheRegistries();
        record("Redis stopped (SIGKILL) and started again, empty, while the API serves",
                "requests tried while Redis was down: " + (tried + shownDown.reads()) + ", errors 0, every uncached answer"
                        + " from PostgreSQL with meta.cache \"bypass: redis unavailable\"",
                "a change made while Redis was down shown " + ms(changedDown, shownDown.at()) + " ms after its sync"
                        + " finished; a change after it was back " + ms(changedUp, shownUp.at()) + " ms;"
                        + " stale answers after the change was shown: 0",
                "Redis down " + ms(down, up) + " ms (start " + ms(starting, up) + " ms); caching resumed "
                        + ms(up, resumed) + " ms after Redis was back");
    }

    /** PostgreSQL stopped and started again while the API serves and a worker syncs. */
    @Test
    @Order(3)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void postgresRestartedWhileServingAndSyncing() throws InterruptedException {
        List<SimulatedRegistry> changing = registries.subList(0, 10);
        StringBuilder ids = new StringBuilder();
        for (SimulatedRegistry registry : changing) {
            registry.mutate(30);
            registry.setLatency(Duration.ofMillis(100));
            ids.append(ids.isEmpty() ? "" : ",").append('"').append(idsByName.get(registry.name())).append('"');
        }
        Api.Answer rebuild = api.asAdmin("POST", "/api/marketplace/index-rebuild", "{\"registryIds\":[" + ids + "]}");
        assertThat(rebuild.status()).isEqualTo(202);
        String progress = "/api/marketplace/index-rebuild/" + rebuild.body().get("rebuildId").asString();
        awaitProgress("the sync to be under way", Duration.ofSeconds(60), progress,
                p -> p.get("started").asInt() >= 2);

        ConcurrentLinkedQueue<TimedRead> reads = new ConcurrentLinkedQueue<>();
        AtomicBoolean reading = new AtomicBoolean(true);
        AtomicInteger needle = new AtomicInteger();
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            readers.add(start("reader-" + t, () -> {
                while (reading.get()) {
                    // a query never asked before: it needs the database
                    String path = "/api/marketplace?limit=5&q=" + encode("zz" + needle.incrementAndGet());
                    reads.add(new TimedRead(System.nanoTime(), read(path)));
                    SystemStack.sleep(100);
                }
            }));
        }
        SystemStack.sleep(1_000);
        long stopping = System.nanoTime();
        postgres.stop();
        long down = System.nanoTime();
        SystemStack.sleep(8_000);
        long starting = System.nanoTime();
        postgres.start();
        long up = System.nanoTime();
        awaitCondition("the API to answer from the database again", Duration.ofSeconds(60),
                () -> read("/api/marketplace?limit=5&q=" + encode("yy" + needle.incrementAndGet())).status() == 200);
        long recovered = System.nanoTime();
        SystemStack.sleep(1_000);
        reading.set(false);
        for (Thread reader : readers) {
            reader.join(30_000);
        }

        int tried = 0;
        int unavailable = 0;
        List<String> wrong = new ArrayList<>();
        for (TimedRead timed : reads) {
            Read r = timed.read();
            tried++;
            if (r.status() == 200) {
                continue;
            }
            if (r.status() == 503 && r.retryAfter() != null && r.body() != null
                    && !r.body().path("error").asString("").isBlank()) {
                unavailable++;
            } else {
                wrong.add(r.status() + " " + (r.body() == null ? r.connectionError() : r.body().toString()));
            }
        }
        assertThat(wrong).as("answers other than 200 or a 503 with Retry-After and a reason").isEmpty();
        assertThat(unavailable).as("503 answers while PostgreSQL was down").isPositive();

        JsonNode done = awaitProgress("the sync to finish after the restart", Duration.ofSeconds(180), progress,
                p -> p.get("finished").asInt() == changing.size());
        long synced = System.nanoTime();
        for (JsonNode line : done.get("registries")) {
            assertThat(line.get("status").asString()).as("rebuild of %s", line.get("name").asString())
                    .isIn("ok", "coalesced");
        }
        changing.forEach(r -> r.setLatency(Duration.ZERO));
        assertIndexEqualsTheRegistries();
        record("PostgreSQL stopped (pg_ctl stop -m fast) and started again while the API serves and a worker syncs",
                "uncached reads tried: " + tried + "; 503 with Retry-After and a reason: " + unavailable
                        + "; other errors: 0",
                "PostgreSQL down " + ms(stopping, up) + " ms (stop " + ms(stopping, down) + " ms, start "
                        + ms(starting, up) + " ms); the API answered from the database again "
                        + ms(up, recovered) + " ms after it was back, without a restart",
                "the sync of " + changing.size() + " registries under way finished " + ms(up, synced)
                        + " ms after PostgreSQL was back, without a worker restart; rows lost 0 ("
                        + REGISTRIES * AGENTS + " agents compared)");
    }

    /** The api-service restarted while clients read: connection errors only, never a wrong answer. */
    @Test
    @Order(4)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void apiServiceRestartedWhileClientsRead() throws InterruptedException {
        List<String> paths = List.of("/api/marketplace?limit=50",
                "/api/marketplace?limit=" + AGENTS + "&registryUrl=" + encode(registries.get(3).baseUrl()),
                "/api/marketplace?limit=20&sort=handle&q=" + encode("if-"));
        Map<String, String> expected = new HashMap<>();
        for (String path : paths) {
            Read r = read(path);
            assertThat(r.status()).isEqualTo(200);
            expected.put(path, essence(r.body()));
        }

        ConcurrentLinkedQueue<TimedRead> reads = new ConcurrentLinkedQueue<>();
        AtomicBoolean reading = new AtomicBoolean(true);
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int first = t;
            clients.add(start("client-" + t, () -> {
                for (int i = first; reading.get(); i++) {
                    String path = paths.get(i % paths.size());
                    Read r = read(path);
                    reads.add(new TimedRead(System.nanoTime(), r, path));
                    SystemStack.sleep(20);
                }
            }));
        }
        SystemStack.sleep(2_000);
        long stopping = System.nanoTime();
        stack.restartApi(Duration.ofSeconds(20));
        long healthy = System.nanoTime();
        SystemStack.sleep(2_000);
        reading.set(false);
        for (Thread client : clients) {
            client.join(30_000);
        }

        int tried = 0;
        int connectionErrors = 0;
        int okAfter = 0;
        long firstError = Long.MAX_VALUE;
        long lastError = Long.MIN_VALUE;
        List<String> wrong = new ArrayList<>();
        for (TimedRead timed : reads) {
            Read r = timed.read();
            tried++;
            if (!r.answered()) {
                connectionErrors++;
                firstError = Math.min(firstError, timed.at());
                lastError = Math.max(lastError, timed.at());
            } else if (r.status() != 200) {
                wrong.add(timed.path() + ": " + r.status() + " " + r.body());
            } else if (!expected.get(timed.path()).equals(essence(r.body()))) {
                wrong.add(timed.path() + ": another answer");
            } else if (timed.at() > healthy) {
                okAfter++;
            }
        }
        assertThat(wrong).as("answers other than the expected one or a connection error").isEmpty();
        assertThat(okAfter).as("correct answers after the restart").isPositive();
        record("api-service restarted (SIGTERM, graceful; a new process on the same port) while 3 clients read",
                "requests tried: " + tried + "; connection errors: " + connectionErrors
                        + "; wrong answers or other statuses: 0",
                "restart " + ms(stopping, healthy) + " ms from SIGTERM to the new process healthy; clients saw"
                        + " errors for " + (connectionErrors == 0 ? 0 : ms(firstError, lastError)) + " ms");
    }

    /** What must not change across a restart: the agents and the total (meta.cache and timings may). */
    private static String essence(JsonNode page) {
        return page.get("total").asLong() + " " + page.get("data");
    }

    private String cacheOf(Read r) {
        return r.body() == null || r.body().get("meta") == null ? null : r.body().get("meta").path("cache").asString(null);
    }

    /** Requests a rebuild of one registry and waits until it finished ok; returns when it did. */
    private long rebuildAndAwait(SimulatedRegistry registry) {
        Api.Answer rebuild = api.asAdmin("POST", "/api/marketplace/index-rebuild",
                "{\"registryIds\":[\"" + idsByName.get(registry.name()) + "\"]}");
        assertThat(rebuild.status()).isEqualTo(202);
        JsonNode done = awaitProgress("the rebuild of " + registry.name(), Duration.ofSeconds(60),
                "/api/marketplace/index-rebuild/" + rebuild.body().get("rebuildId").asString(),
                p -> p.get("finished").asInt() == 1);
        assertThat(done.get("registries").get(0).get("status").asString()).isEqualTo("ok");
        return System.nanoTime();
    }

    /** When a change was first seen on a page, and how many reads were made of it in all. */
    record Shown(long at, int reads) {
    }

    /** Waits until the page shows the name, then reads it ten times more: it must keep showing it. */
    private Shown awaitChange(String page, String name) {
        int[] reads = {0};
        awaitRead("the change on the page", page, r -> {
            reads[0]++;
            return r.status() == 200 && r.body().get("data").toString().contains(name);
        });
        long shown = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            Read again = read(page);
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.body().get("data").toString()).as("read %d after the change was shown", i).contains(name);
        }
        return new Shown(shown, reads[0] + 10);
    }

    private void awaitRead(String what, String path, Predicate<Read> condition) {
        Read[] last = {null};
        try {
            awaitCondition(what, Duration.ofSeconds(60), () -> condition.test(last[0] = read(path)));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last answer: " + last[0], e);
        }
    }

    record TimedRead(long at, Read read, String path) {
        TimedRead(long at, Read read) {
            this(at, read, null);
        }
    }

    private void assertIndexEqualsTheRegistries() {
        JsonNode list = api.asAdmin("GET", "/api/settings/registries", null).body().get("data");
        assertThat(list).hasSize(REGISTRIES);
        for (JsonNode r : list) {
            assertThat(r.get("syncStatus").asString()).as("syncStatus of %s", r.get("name").asString()).isEqualTo("ok");
            assertThat(r.get("id").asString()).isEqualTo(idsByName.get(r.get("name").asString()));
        }
        Set<String> expected = expectedCatalog();
        api.awaitCatalog("every agent to be served", Duration.ofSeconds(30),
                page -> page.get("total").asLong() == expected.size());
        List<String> indexed = new ArrayList<>();
        for (JsonNode agent : api.allAgents("")) {
            indexed.add(key(agent));
        }
        assertThat(new HashSet<>(indexed)).as("no duplicates").hasSameSizeAs(indexed);
        assertThat(new HashSet<>(indexed)).isEqualTo(expected);
    }

    private Set<String> expectedCatalog() {
        Set<String> expected = new HashSet<>();
        for (SimulatedRegistry registry : registries) {
            registry.agents().forEach(a -> expected.add(registry.baseUrl() + " | " + a.handle() + " | " + a.name()));
        }
        return expected;
    }

    private static String key(JsonNode agent) {
        return agent.get("registryUrl").asString() + " | " + agent.get("handle").asString() + " | "
                + agent.get("name").asString();
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** One HTTP answer, or the connection error that took its place. */
    record Read(int status, String retryAfter, JsonNode body, String connectionError) {

        boolean answered() {
            return connectionError == null;
        }
    }

    private Read read(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.apiUrl() + path))
                .timeout(Duration.ofSeconds(15)).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isBlank() ? null : JSON.readTree(response.body());
            return new Read(response.statusCode(), response.headers().firstValue("Retry-After").orElse(null), body, null);
        } catch (IOException e) {
            return new Read(-1, null, null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private JsonNode awaitProgress(String what, Duration timeout, String path, Predicate<JsonNode> condition) {
        // the progress is read from the database, which may be down
        return api.awaitAdmin(what, timeout, path, answer -> answer.status() == 200 && condition.test(answer.body())).body();
    }

    private static void awaitCondition(String what, Duration timeout, BooleanSupplier condition) {
        Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(250)).until(condition::getAsBoolean);
    }

    private static Thread start(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.start();
        return thread;
    }

    private static long ms(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }

    private void record(String fault, String... lines) {
        StringBuilder text = new StringBuilder("## ").append(fault).append("\n\n");
        for (String line : lines) {
            text.append("- ").append(line).append('\n');
        }
        log.info("\n{}", text);
        try {
            Files.writeString(figures, text.append('\n'), StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
