package io.marketplaceindex.bench.indexer;

import io.marketplaceindex.bench.support.Stats;
import io.marketplaceindex.bench.support.WrkFigures;
import io.marketplaceindex.bench.support.MachineInfo;
import io.marketplaceindex.bench.support.JsonHttp;
import io.marketplaceindex.bench.support.Cli;
import io.marketplaceindex.events.Topics;
import io.marketplaceindex.testsupport.ServiceProcesses;
import io.marketplaceindex.testsupport.ServiceProcesses.ServiceProcess;
import io.marketplaceindex.testsupport.TestServices;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The indexer benchmark behind {@code scripts/bench-indexer}: the registry simulator as its own
 * process (from its jar), the api-service and real indexer-worker processes (from theirs), the real
 * PostgreSQL, Redis and Kafka. Measures a full rebuild, a no-op rebuild, the simulator's raw
 * request rate under {@code wrk}, one worker against two under simulated latency, and the
 * freshness of one registry; writes a Markdown report. See {@code scripts/bench-indexer --help}.
 */
public final class IndexerBenchmark {

    /** bash's {@code time} of the wrk command (TIMEFORMAT): user and system CPU seconds. */
    private static final Pattern WRK_CPU = Pattern.compile("wrk-cpu ([0-9.]+) ([0-9.]+)");

    /** One measured rebuild. */
    record Rebuild(String label, int workers, int registries, long agents, double seconds, long httpRequests,
                   long rowsWritten, double rowsMetric, Map<String, Integer> statuses, long failedHandles,
                   Map<String, Double> cpuSeconds, double commitSeconds, double generationWaitSeconds) {
        double agentsPerSecond() {
            return agents / seconds;
        }

        double requestsPerSecond() {
            return httpRequests / seconds;
        }

        /** The benchmark's own components: workers, simulator, api-service, PostgreSQL backends. */
        double totalCpuSeconds() {
            return cpuSeconds.get("workers") + cpuSeconds.get("simulator") + cpuSeconds.get("api")
                    + cpuSeconds.get("postgres");
        }

        String perWorkerCpu() {
            StringBuilder sb = new StringBuilder();
            cpuSeconds.forEach((k, v) -> {
                if (k.startsWith("worker-")) {
                    sb.append(sb.length() == 0 ? "" : ", ").append(k).append(String.format(Locale.ROOT, " %.1f", v));
                }
            });
            return sb.toString();
        }
    }

    /** One wrk run, with the CPU it and the simulator used (for a load-independent comparison). */
    record Wrk(String label, double requestsPerSecond, long requests, double wrkCpuSeconds, double simulatorCpuSeconds,
               String url, String output) {
        double requestsPerCpuSecond() {
            return requests / (wrkCpuSeconds + simulatorCpuSeconds);
        }
    }

    private static final int PARTITIONS = 12;
    /** A worker has one consumer, whatever its command concurrency. */
    private static final int CONSUMERS_PER_WORKER = 1;

    private final IndexerOptions options;
    private final String adminToken = "bench-" + UUID.randomUUID();
    private final JsonHttp admin = new JsonHttp(adminToken);
    private final JsonHttp plain = new JsonHttp(null);
    private final List<String> notes = new ArrayList<>();
    private final List<ServiceProcess> workers = new ArrayList<>();
    /** The postmaster of the server the script started for this run (--postgres own); null on a shared server. */
    private final Long ownPostgresPid;
    private ServiceProcesses processes;
    private ServiceProcess api;
    private ServiceProcess simulator;
    private Map<String, String> workerEnv;
    private String database;
    /** The driver's one connection (CPU accounting, VACUUM): opened once, a shared server may run out of slots. */
    private Connection pg;
    /** What --without-indexes dropped, resolved to names; empty in a normal run. */
    private List<String> droppedIndexes = List.of();
    private String topicPrefix;
    private String consumerGroup;

    private IndexerBenchmark(IndexerOptions options) {
        this.options = options;
        this.ownPostgresPid = options.ownPostgres() ? Optional.ofNullable(System.getenv("BENCH_POSTGRES_PID"))
                .map(Long::valueOf)
                .orElseThrow(() -> new IllegalStateException("--postgres own measures the server scripts/bench-indexer"
                        + " starts (BENCH_POSTGRES_PID is not set); run the script, or use --postgres shared"))
                : null;
    }

    public static void main(String[] argv) {
        IndexerOptions options = Cli.parseOrExit(new IndexerOptions.Flags(), argv, flags -> flags.options(argv)).orElse(null);
        if (options == null) {
            return;
        }
        IndexerBenchmark bench = new IndexerBenchmark(options);
        Thread cleanup = new Thread(bench::stopProcesses, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            bench.run();
        } catch (RuntimeException e) {
            System.err.println("benchmark failed: " + e);
            e.printStackTrace();
            bench.stopProcesses();
            System.exit(1);
        }
        bench.stopProcesses();
        System.exit(0);
    }

    // ------------------------------------------------------------------------------------ run

    private void run() {
        Instant startedAt = Instant.now();
        Map<String, String> machine = MachineInfo.collect();
        say("machine: " + machine.get("cpu") + ", " + machine.get("nproc") + " cores, load " + machine.get("load"));
        Path repo = options.repo();
        Path simJar = repo.resolve("registry-simulator/target/registry-simulator.jar");
        Path apiJar = repo.resolve("api-service/target/api-service.jar");
        Path workerJar = repo.resolve("indexer-worker/target/indexer-worker.jar");
        processes = new ServiceProcesses(repo.resolve("benchmarks/target/bench-logs/indexer-"
                + startedAt.toString().replace(':', '-')));
        TestServices.requireKafka();

        database = TestServices.uniqueDatabase("bench_indexer");
        try {
            pg = DriverManager.getConnection(database, TestServices.postgresUser(), TestServices.postgresPassword());
            pg.setAutoCommit(true);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to " + database + ": " + e.getMessage(), e);
        }
        topicPrefix = "bench" + UUID.randomUUID().toString().substring(0, 8) + ".";
        consumerGroup = topicPrefix + "indexer";
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SPRING_DATASOURCE_URL", database);
        env.put("SPRING_DATASOURCE_USERNAME", TestServices.postgresUser());
        env.put("SPRING_DATASOURCE_PASSWORD", TestServices.postgresPassword());
        env.put("SPRING_DATA_REDIS_URL", TestServices.redisUrl());
        env.put("SPRING_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap());
        env.put("SPRING_KAFKA_CONSUMER_GROUP_ID", consumerGroup);
        env.put("MARKETPLACE_KAFKA_TOPIC_PREFIX", topicPrefix);
        env.put("MARKETPLACE_CACHE_KEY_PREFIX", topicPrefix);
        env.put("MARKETPLACE_REGISTRY_ALLOW_PRIVATE_ADDRESSES", "true");
        workerEnv = new LinkedHashMap<>(env);

        int simPort = ServiceProcesses.freePort();
        simulator = processes.start("simulator", simJar, List.of("-Xmx1g"),
                List.of("--port", String.valueOf(simPort), "--registries", String.valueOf(options.registries()),
                        "--agents", String.valueOf(options.agents()), "--seed", "1",
                        "--threads", String.valueOf(options.simulatorThreads()), "--latency-ms", "0",
                        "--name-prefix", "bench", "--card-max-age-s", String.valueOf(options.cardMaxAgeSeconds())),
                Map.of(), simPort);
        processes.awaitHttp(simulator, "/control/registries", Duration.ofSeconds(60));

        Map<String, String> apiEnv = new LinkedHashMap<>(env);
        apiEnv.put("MARKETPLACE_ADMIN_TOKEN", adminToken);
        if (options.readLoad()) {
            // wrk is one client at thousands of requests per second: the per-client limit would answer 429
            apiEnv.put("MARKETPLACE_RATE_LIMIT_ANONYMOUS_PER_MINUTE", "0");
        } else {
            // The api-service only answers the driver here; its default pool (16) would hold slots a
            // shared PostgreSQL server may not have.
            apiEnv.put("SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE", "4");
        }
        api = processes.startService("api", apiJar, List.of("-Xmx512m"), apiEnv);
        // Two workers, as the project deploys them (docker-compose, local-stack); both get warm in
        // the full rebuild, so the one-against-two comparison at the end compares warm JVMs.
        for (int i = 1; i <= 2; i++) {
            workers.add(processes.startManagedService("worker-" + i, workerJar, List.of("-Xmx1g"), workerEnv));
        }
        for (ServiceProcess p : concat(workers, List.of(api))) {
            processes.awaitHealthy(p, Duration.ofSeconds(600));
        }
        awaitConsumerGroup(2);
        if (!options.withoutIndexes().isEmpty()) {
            droppedIndexes = dropCatalogIndexes(options.withoutIndexes());
            say("what-if: dropped " + droppedIndexes);
        }
        say("stack up: api " + api.url() + ", workers " + workers.get(0).url() + " " + workers.get(1).url()
                + ", simulator " + simulator.url());

        // ---- warm-up: the workers' JIT, as wrk's warm-up run does for the simulator -------------
        // A separate set, rebuilt once and left in the index; the full rebuild below asks for its
        // own registries only.
        if (options.warmupRegistries() > 0) {
            List<String> warmNames = new ArrayList<>();
            for (int i = 1; i <= options.warmupRegistries(); i++) {
                warmNames.add("warm-" + i);
                simulator("POST", "/control/registries?name=warm-" + i + "&agents=" + options.agents() + "&seed=5");
            }
            Map<String, String> warmIds = connectEmpty(warmNames);
            rebuild("warm-up (not measured)", new ArrayList<>(warmIds.values()), warmNames,
                    (long) options.warmupRegistries() * options.agents());
        }

        // ---- full and no-op rebuild -------------------------------------------------------
        List<String> benchNames = new ArrayList<>();
        for (int i = 1; i <= options.registries(); i++) {
            benchNames.add("bench-" + i);
        }
        Map<String, String> benchIds = connectEmpty(benchNames);
        long benchAgents = (long) options.registries() * options.agents();
        if (options.readLoad()) {
            readLoad(startedAt, machine, new ArrayList<>(benchIds.values()), benchNames, benchAgents);
            return;
        }

        // The floor, right before and right after the full rebuild (other users of the machine
        // come and go; the two runs bracket the rebuild), after a short warm-up of the simulator.
        String handle = simulator("GET", "/control/registries/bench-1/agents").get("agents").get(0)
                .get("handle").asString();
        String recordUrl = simulator.url() + "/registries/bench-1/v1/records/" + JsonHttp.query(handle);
        // The simulator's JIT must be warm for the first floor too (3 s was not enough under load).
        wrk("warm-up", recordUrl, options.wrkSeconds());
        Wrk wrkBefore = wrk("before the full rebuild", recordUrl, options.wrkSeconds());
        Rebuild full = rebuild("full rebuild", new ArrayList<>(benchIds.values()), benchNames, benchAgents);
        Wrk wrkAfter = wrk("after the full rebuild", recordUrl, options.wrkSeconds());
        // What an operator does after a bulk load, and what autovacuum would otherwise do during
        // whatever runs next: merge the GIN pending lists, refresh statistics. Timed and reported.
        double vacuumSeconds = vacuum();
        Rebuild noop = rebuild("no-op rebuild", new ArrayList<>(benchIds.values()), benchNames, benchAgents);

        // ---- freshness of one registry ---------------------------------------------------------
        simulator("POST", "/control/registries?name=fresh-1&agents=" + options.freshnessAgents() + "&seed=7");
        String freshId = connect(List.of("fresh-1"), false).get("fresh-1");
        awaitSynced(List.of(freshId));
        List<Double> freshness = freshness("fresh-1", freshId);

        // ---- one worker against two, latency-bound ----------------------------------------------
        // Three equal sets, each rebuilt once from empty: W with both workers, unmeasured, so that
        // both run this path's code compiled (however small the rebuilds before were); B with both
        // workers; then the second worker stops (SIGTERM: it leaves the consumer group) and A is
        // rebuilt by the first alone.
        Map<String, List<String>> sets = new LinkedHashMap<>();
        for (String set : List.of("w", "b", "a")) {
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= options.scaleRegistries(); i++) {
                names.add("scale-" + set + "-" + i);
            }
            sets.put(set, names);
        }
        Map<String, Map<String, String>> setIds = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> set : sets.entrySet()) {
            for (String name : set.getValue()) {
                simulator("POST", "/control/registries?name=" + name + "&agents=" + options.scaleAgents() + "&seed=3");
                simulator("POST", "/control/registries/" + name + "/latency?ms=" + options.latencyMs());
            }
            setIds.put(set.getKey(), connectEmpty(set.getValue()));
        }
        long scaleAgents = (long) options.scaleRegistries() * options.scaleAgents();
        String latency = "latency " + options.latencyMs() + " ms, ";
        rebuild(latency + "warm-up, 2 workers", new ArrayList<>(setIds.get("w").values()), sets.get("w"), scaleAgents);
        String split = partitionSplit(setIds.get("b").values());
        say("registries per consumer of the 2-worker run: " + split);
        Rebuild twoWorkers = rebuild(latency + "2 workers", new ArrayList<>(setIds.get("b").values()), sets.get("b"),
                scaleAgents);
        ServiceProcess second = workers.get(1);
        second.stop(Duration.ofSeconds(30));
        say("stopped " + second.name() + " (SIGTERM)");
        awaitConsumerGroup(1);
        Rebuild oneWorker = rebuild(latency + "1 worker", new ArrayList<>(setIds.get("a").values()), sets.get("a"),
                scaleAgents);

        machine.put("loadAfter", MachineInfo.loadAverage());
        machine.put("pressureAfter", MachineInfo.cpuPressure());
        machine.put("postgres", postgresVersion());
        machine.put("postgresServer", ownPostgresPid != null
                ? "the benchmark's own, started for this run (`--postgres own`); CPU: all of its processes"
                : "the machine's (`--postgres shared`); CPU: the backends of the benchmark's database");
        machine.put("postgresSettings", postgresSettings());
        String report = report(startedAt, machine, full, vacuumSeconds, noop, List.of(wrkBefore, wrkAfter), freshness,
                twoWorkers, oneWorker, split);
        writeReport(report);
    }

    // ------------------------------------------------------------------------------------ steps

    /**
     * The catalog API under wrk, idle (before and after) and for the length of the full rebuild; the
     * mix reads what the warm-up set put in the index, so the idle runs read a catalog too.
     */
    private void readLoad(Instant startedAt, Map<String, String> machine, List<String> ids, List<String> names,
                          long agents) {
        JsonNode first = plain.get(api.url() + "/api/marketplace?limit=1").ok().get("data");
        if (first.isEmpty()) {
            throw new IllegalStateException("--read-load reads the warm-up set: --warmup-registries must be > 0");
        }
        JsonNode agent = first.get(0);
        String tag = plain.get(api.url() + "/api/marketplace/tags").ok().get("data").get(0).get("tag").asString();
        String word = agent.get("name").asString().split("[^A-Za-z0-9]+")[0].toLowerCase(Locale.ROOT);
        List<String> paths = List.of("/api/marketplace", "/api/marketplace?limit=50&offset=1000",
                "/api/marketplace?q=" + JsonHttp.query(word), "/api/marketplace?tags=" + JsonHttp.query(tag),
                "/api/marketplace?sort=handle&limit=20", "/api/marketplace/tags",
                "/api/marketplace/" + agent.get("registryId").asString() + "/" + JsonHttp.query(agent.get("handle").asString()),
                "/api/marketplace/changes?limit=100", "/api/marketplace/changes/head");
        ReadLoad load = new ReadLoad(api.url(), paths, options.wrkConnections(), 5,
                options.repo().resolve("benchmarks/target/read-load"));
        say("read load: " + paths);
        say(ReadLoad.format(load.measure("warm-up (not reported)", options.wrkSeconds())));
        ReadLoad.Result before = load.measure("idle, before the rebuild", options.wrkSeconds());
        say(ReadLoad.format(before));
        ReadLoad.Running running = load.start("during the full rebuild", 3600);
        Rebuild full;
        ReadLoad.Result during;
        try {
            full = rebuild("full rebuild under read load", ids, names, agents);
        } finally {
            // stopped whatever happened: wrk would outlive the driver otherwise
            during = running.stop();
        }
        say(ReadLoad.format(during));
        ReadLoad.Result after = load.measure("idle, after the rebuild", options.wrkSeconds());
        say(ReadLoad.format(after));
        machine.put("loadAfter", MachineInfo.loadAverage());
        machine.put("pressureAfter", MachineInfo.cpuPressure());
        machine.put("postgres", postgresVersion());
        String report = ReadLoad.report(options.commandLine(), startedAt, machine, load, List.of(before, during, after),
                String.format(Locale.ROOT, "%,d registries × %,d agents (%,d agents) from empty, two workers, "
                                + "after an unmeasured warm-up rebuild of %,d × %,d that the idle runs read: %.1f s, "
                                + "%.0f agents/s, statuses %s", options.registries(), options.agents(), agents,
                        options.warmupRegistries(), options.agents(), full.seconds(), full.agentsPerSecond(),
                        full.statuses()));
        writeReport(report);
    }

    /** The report into --out, and on stdout. */
    private void writeReport(String report) {
        try {
            Files.createDirectories(options.out().toAbsolutePath().getParent());
            Files.writeString(options.out(), report, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println();
        System.out.println(report);
        say("report written to " + options.out());
    }

    private List<ServiceProcess> liveWorkers() {
        return workers.stream().filter(ServiceProcess::isAlive).toList();
    }

    /** VACUUM (ANALYZE) of the tables a rebuild writes; returns its wall time in seconds. */
    private double vacuum() {
        long t0 = System.nanoTime();
        try (Statement st = pg.createStatement()) {
            st.execute("VACUUM (ANALYZE) marketplace_catalog_rows, marketplace_catalog_sources, marketplace_tag_counts,"
                    + " marketplace_registries");
        } catch (SQLException e) {
            throw new IllegalStateException("VACUUM failed: " + e.getMessage(), e);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        say(String.format(Locale.ROOT, "VACUUM (ANALYZE) after the full rebuild: %.1f s", seconds));
        return seconds;
    }

    /**
     * Connects registries whose first listing is empty (a simulator fault), so the sync that
     * follows every connect is trivial and the measured rebuild starts from an empty index.
     */
    private Map<String, String> connectEmpty(List<String> names) {
        Map<String, String> ids = connect(names, true);
        awaitSynced(new ArrayList<>(ids.values()));
        return ids;
    }

    private Map<String, String> connect(List<String> names, boolean emptyFirstListing) {
        Map<String, String> ids = new LinkedHashMap<>();
        for (String name : names) {
            if (emptyFirstListing) {
                simulator("POST", "/control/registries/" + name + "/faults", "{\"kind\":\"emptyListing\",\"times\":1}");
            }
            JsonNode answer = admin.post(api.url() + "/api/settings/registries",
                    "{\"name\":\"" + name + "\",\"url\":\"" + simulator.url() + "/registries/" + name + "\"}").ok();
            ids.put(name, answer.get("id").asString());
        }
        say("connected " + names.size() + " registries (" + names.get(0) + " ..)");
        return ids;
    }

    private void awaitSynced(List<String> ids) {
        await("registries synced after connect", Duration.ofMinutes(10), () -> {
            JsonNode list = admin.get(api.url() + "/api/settings/registries").ok().get("data");
            int ok = 0;
            for (JsonNode r : list) {
                if (ids.contains(r.get("id").asString()) && "ok".equals(r.path("lastSyncStatus").asString(""))) {
                    ok++;
                }
            }
            return ok == ids.size();
        }, 500);
    }

    private Rebuild rebuild(String label, List<String> ids, List<String> simulatorNames, long agents) {
        say(label + ": " + ids.size() + " registries, " + agents + " agents ...");
        long requestsBefore = simulatorRequests(simulatorNames);
        double rowsMetricBefore = workerRowsWritten();
        Map<String, Double> cpuBefore = cpuSeconds();
        double commitBefore = workerMetric("marketplace.sync.commit", "TOTAL_TIME");
        double waitBefore = workerMetric("marketplace.sync.generation.wait", "TOTAL_TIME");
        StringBuilder body = new StringBuilder("{\"registryIds\":[");
        for (int i = 0; i < ids.size(); i++) {
            body.append(i == 0 ? "" : ",").append('"').append(ids.get(i)).append('"');
        }
        body.append("]}");
        JsonNode started = admin.post(api.url() + "/api/marketplace/index-rebuild", body.toString()).ok();
        Instant requestedAt = instant(started.get("requestedAt"));
        String progressUrl = api.url() + "/api/marketplace/index-rebuild/" + started.get("rebuildId").asString();
        JsonNode[] last = new JsonNode[1];
        // The times come from the progress itself (requestedAt, each registry's finishedAt), so the
        // poll only needs to notice the end: every second keeps the driver's and the api-service's
        // share of the 2 cores (one progress answer lists every registry) small.
        await(label + " to finish", Duration.ofMinutes(60), () -> {
            last[0] = admin.get(progressUrl).ok();
            return last[0].get("started").asInt() == ids.size() && last[0].get("finished").asInt() == ids.size();
        }, 1000);
        Instant finishedAt = requestedAt;
        long rows = 0;
        long failedHandles = 0;
        Map<String, Integer> statuses = new TreeMap<>();
        for (JsonNode line : last[0].get("registries")) {
            Instant finished = instant(line.get("finishedAt"));
            finishedAt = finished.isAfter(finishedAt) ? finished : finishedAt;
            statuses.merge(line.get("status").asString(), 1, Integer::sum);
            // an object in the progress answer (older answers carried it as JSON text)
            JsonNode detailNode = line.get("detail");
            JsonNode detail = detailNode.isString() ? JsonHttp.JSON.readTree(detailNode.asString()) : detailNode;
            JsonNode counts = detail.path("counts");
            rows += counts.path("added").asLong() + counts.path("updated").asLong() + counts.path("removed").asLong();
            failedHandles += counts.path("failed").asLong();
        }
        double seconds = Duration.between(requestedAt, finishedAt).toMillis() / 1000.0;
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpuSeconds().forEach((component, after) -> cpu.put(component, after - cpuBefore.getOrDefault(component, 0.0)));
        long requests = simulatorRequests(simulatorNames) - requestsBefore;
        double rowsMetric = workerRowsWritten() - rowsMetricBefore;
        double commit = workerMetric("marketplace.sync.commit", "TOTAL_TIME") - commitBefore;
        double generationWait = workerMetric("marketplace.sync.generation.wait", "TOTAL_TIME") - waitBefore;
        Rebuild result = new Rebuild(label, liveWorkers().size(), ids.size(), agents, seconds, requests, rows, rowsMetric,
                statuses, failedHandles, cpu, commit, generationWait);
        say(String.format(Locale.ROOT, "%s: %.1f s, %.0f agents/s, %.0f requests/s, %d rows written, statuses %s, "
                + "CPU s %s; commits %.1f s (counters + generation tail %.1f s)", label, seconds, result.agentsPerSecond(),
                result.requestsPerSecond(), rows, statuses, formatCpu(cpu), commit, generationWait));
        if (failedHandles > 0) {
            notes.add(label + ": " + failedHandles + " handles failed to fetch (see the registries' recent errors).");
        }
        return result;
    }

    /** wrk against one record URL of the simulator; bash's time reports wrk's own CPU. */
    private Wrk wrk(String label, String url, int seconds) {
        say("wrk (" + label + ") on " + url + " ...");
        try {
            Path script = options.repo().resolve("benchmarks/target/floor.lua");
            Files.createDirectories(script.getParent());
            Files.writeString(script, WrkFigures.doneHook(), StandardCharsets.UTF_8);
            String command = "TIMEFORMAT='wrk-cpu %U %S'; time wrk -t2 -c" + options.wrkConnections() + " -d" + seconds
                    + "s --latency -s '" + script + "' '" + url + "'";
            double simBefore = MachineInfo.processCpuSeconds(simulator.pid());
            Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(seconds + 60L, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("wrk failed: " + output);
            }
            double simCpu = MachineInfo.processCpuSeconds(simulator.pid()) - simBefore;
            WrkFigures figures = WrkFigures.parse(output);
            Matcher cpu = WRK_CPU.matcher(output);
            if (!cpu.find()) {
                throw new IllegalStateException("no CPU time of wrk in: " + output);
            }
            Wrk wrk = new Wrk(label, figures.requestsPerSecond(), figures.requests(),
                    Double.parseDouble(cpu.group(1)) + Double.parseDouble(cpu.group(2)), simCpu, url, figures.summary());
            say(String.format(Locale.ROOT, "wrk (%s): %.0f requests/s; CPU s wrk %.1f, simulator %.1f", label,
                    wrk.requestsPerSecond(), wrk.wrkCpuSeconds(), wrk.simulatorCpuSeconds()));
            return wrk;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run wrk (install the 'wrk' package)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Renames one agent in the registry, requests a rebuild of that registry and polls the public
     * catalog for the new name: the time from the request to the first answer that has it.
     */
    private List<Double> freshness(String registryName, String registryId) {
        String handle = simulator("GET", "/control/registries/" + registryName + "/agents").get("agents")
                .get(options.freshnessAgents() / 2).get("handle").asString();
        String tag = Long.toString(System.currentTimeMillis(), 36);
        List<Double> samples = new ArrayList<>();
        for (int run = 1; run <= options.freshnessRuns(); run++) {
            String newName = "Freshness probe " + tag + " run " + run;
            simulator("POST", "/control/registries/" + registryName + "/update?handle=" + JsonHttp.query(handle)
                    + "&name=" + JsonHttp.query(newName));
            String search = api.url() + "/api/marketplace?limit=1&q=" + JsonHttp.query(newName.toLowerCase(Locale.ROOT));
            long t0 = System.nanoTime();
            admin.post(api.url() + "/api/marketplace/index-rebuild", "{\"registryIds\":[\"" + registryId + "\"]}").ok();
            long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
            // polled as an authenticated caller: every 10 ms is far past the anonymous rate limit
            while (admin.get(search).ok().get("total").asLong() != 1) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the rename of run " + run + " never became visible");
                }
                ServiceProcesses.sleep(10);
            }
            samples.add((System.nanoTime() - t0) / 1_000_000.0);
        }
        say(String.format(Locale.ROOT, "freshness over %d runs: p50 %.0f ms, p95 %.0f ms", samples.size(),
                Stats.percentile(samples, 50), Stats.percentile(samples, 95)));
        return samples;
    }

    // ------------------------------------------------------------------------------------ probes

    private JsonNode simulator(String method, String path) {
        return simulator(method, path, null);
    }

    private JsonNode simulator(String method, String path, String body) {
        return plain.send(method, simulator.url() + path, body).ok();
    }

    /** Requests the simulator's registries received (control requests excluded). */
    private long simulatorRequests(List<String> names) {
        JsonNode perRegistry = simulator("GET", "/control/stats").get("registries");
        long total = 0;
        for (String name : names) {
            total += perRegistry.path(name).path("requests").asLong();
        }
        return total;
    }

    /**
     * CPU seconds used so far by each component: the worker processes together, the simulator, the
     * api-service, and the PostgreSQL backends serving the benchmark's database (by their pids; a
     * backend that closed in between loses its share, so this is a lower bound for PostgreSQL).
     * The rest of the machine's CPU went to Kafka, Redis, this driver and other users.
     */
    private Map<String, Double> cpuSeconds() {
        Map<String, Double> cpu = new LinkedHashMap<>();
        double workerCpu = 0;
        double workerJit = 0;
        Map<String, Double> perWorker = new LinkedHashMap<>();
        for (ServiceProcess worker : liveWorkers()) {
            double used = MachineInfo.processCpuSeconds(worker.pid());
            perWorker.put(worker.name(), used);
            workerCpu += used;
            workerJit += MachineInfo.jitCpuSeconds(worker.pid());
        }
        cpu.put("workers", workerCpu);
        cpu.put("workersJit", workerJit);
        cpu.put("simulator", MachineInfo.processCpuSeconds(simulator.pid()));
        cpu.put("api", MachineInfo.processCpuSeconds(api.pid()));
        cpu.put("postgres", postgresCpuSeconds());
        cpu.putAll(perWorker);
        return cpu;
    }

    /**
     * The benchmark's own PostgreSQL server (started by the script, BENCH_POSTGRES_PID): all of its
     * processes. A shared server: the backends serving the benchmark's database, by their pids (a
     * backend that closed in between loses its share, and background processes are not counted, so
     * this is a lower bound).
     */
    private double postgresCpuSeconds() {
        if (ownPostgresPid != null) {
            return MachineInfo.processTreeCpuSeconds(ownPostgresPid);
        }
        double postgres = 0;
        try (Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                     + " AND pid <> pg_backend_pid()")) {
            while (rs.next()) {
                postgres += MachineInfo.processCpuSeconds(rs.getLong(1));
            }
        } catch (SQLException e) {
            postgres = Double.NaN;
        }
        return postgres;
    }

    private static String formatCpu(Map<String, Double> cpu) {
        StringBuilder sb = new StringBuilder();
        cpu.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ')
                .append(String.format(Locale.ROOT, "%.1f", v)));
        return sb.toString();
    }

    /** The workers' marketplace.sync.rows.written counters, summed. */
    private double workerRowsWritten() {
        return workerMetric("marketplace.sync.rows.written", "COUNT");
    }

    /** One statistic of a meter (e.g. TOTAL_TIME in seconds, COUNT), summed over the live workers. */
    private double workerMetric(String meter, String statistic) {
        double total = 0;
        for (ServiceProcess worker : liveWorkers()) {
            JsonHttp.Answer answer = plain.get(worker.url() + "/actuator/metrics/" + meter);
            if (answer.status() == 200) {
                for (JsonNode m : answer.body().get("measurements")) {
                    if (statistic.equals(m.get("statistic").asString())) {
                        total += m.get("value").asDouble();
                    }
                }
            }
        }
        return total;
    }

    private static Admin kafkaAdmin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.kafkaBootstrap()));
    }

    private ConsumerGroupDescription describeGroup(Admin kafka) throws Exception {
        return kafka.describeConsumerGroups(List.of(consumerGroup)).all().get(10, TimeUnit.SECONDS).get(consumerGroup);
    }

    /** Waits until {@code workerCount} workers own all partitions between them. */
    private void awaitConsumerGroup(int workerCount) {
        int members = workerCount * CONSUMERS_PER_WORKER;
        try (Admin kafka = kafkaAdmin()) {
            await("consumer group of " + members + " members", Duration.ofMinutes(2), () -> {
                try {
                    ConsumerGroupDescription group = describeGroup(kafka);
                    int partitions = 0;
                    for (MemberDescription member : group.members()) {
                        partitions += member.assignment().topicPartitions().size();
                    }
                    return group.members().size() == members && partitions == PARTITIONS;
                } catch (Exception e) {
                    return false;
                }
            }, 250);
        }
    }

    /**
     * How many of these registries each consumer owns: the partition of a registry is Kafka's default
     * for its key (the registry id), and the group says who owns which partition. The larger share,
     * against an even one, bounds what a second worker can gain.
     */
    private String partitionSplit(Collection<String> registryIds) {
        try (Admin kafka = kafkaAdmin()) {
            ConsumerGroupDescription group = describeGroup(kafka);
            int[] perPartition = new int[PARTITIONS];
            for (String id : registryIds) {
                perPartition[Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS]++;
            }
            List<Integer> shares = new ArrayList<>();
            for (MemberDescription member : group.members()) {
                int n = 0;
                for (TopicPartition tp : member.assignment().topicPartitions()) {
                    n += tp.topic().equals(new Topics(topicPrefix).commands()) ? perPartition[tp.partition()] : 0;
                }
                shares.add(n);
            }
            shares.sort(Comparator.reverseOrder());
            int largest = shares.isEmpty() ? 0 : shares.get(0);
            return String.format(Locale.ROOT, "%s of %,d; an even split would let two workers be %.2f× as fast as one, "
                    + "this one at most %.2f×", shares, registryIds.size(), (double) shares.size(),
                    largest == 0 ? 0.0 : (double) registryIds.size() / largest);
        } catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /**
     * Drops indexes of marketplace_catalog_rows after the workers have migrated the schema. Only named
     * non-primary indexes of that table are accepted, so a typo fails the run before anything is measured.
     */
    private List<String> dropCatalogIndexes(List<String> requested) {
        List<String> secondary = new ArrayList<>();
        try (Statement st = pg.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = 'marketplace_catalog_rows'::regclass AND NOT i.indisprimary
                ORDER BY c.relname""")) {
            while (rs.next()) {
                secondary.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list the catalog's indexes: " + e.getMessage(), e);
        }
        List<String> drop = requested.equals(List.of(IndexerOptions.SECONDARY_INDEXES)) ? secondary : requested;
        for (String name : drop) {
            if (!secondary.contains(name)) {
                throw new IllegalArgumentException("--without-indexes: " + name + " is not a secondary index of "
                        + "marketplace_catalog_rows (those are " + secondary + ")");
            }
        }
        try (Statement st = pg.createStatement()) {
            for (String name : drop) {
                st.execute("DROP INDEX \"" + name + "\"");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop an index: " + e.getMessage(), e);
        }
        return List.copyOf(drop);
    }

    private String postgresVersion() {
        try (Statement st = pg.createStatement(); ResultSet rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** The server settings that decide what a bulk load costs (deploy/postgres-settings.sql sets them). */
    private String postgresSettings() {
        StringBuilder settings = new StringBuilder();
        try (Statement st = pg.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT name, current_setting(name) FROM pg_settings
                WHERE name IN ('shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'maintenance_work_mem',
                               'work_mem', 'synchronous_commit', 'autovacuum', 'wal_init_zero')
                ORDER BY name""")) {
            while (rs.next()) {
                settings.append(settings.isEmpty() ? "" : ", ").append('`').append(rs.getString(1)).append(" = ")
                        .append(rs.getString(2)).append('`');
            }
            return settings.toString();
        } catch (SQLException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    // ------------------------------------------------------------------------------------ report

    private String report(Instant startedAt, Map<String, String> machine, Rebuild full, double vacuumSeconds,
                          Rebuild noop, List<Wrk> wrks, List<Double> freshness, Rebuild twoWorkers,
                          Rebuild oneWorker, String split) {
        double noopShare = noop.seconds() / full.seconds();
        double floor = wrks.stream().mapToDouble(Wrk::requestsPerSecond).average().orElseThrow();
        double wrkRatio = full.requestsPerSecond() / floor;
        double floorPerCpu = wrks.stream().mapToDouble(Wrk::requestsPerCpuSecond).average().orElseThrow();
        double fullCpu = full.totalCpuSeconds();
        double fullPerCpu = full.httpRequests() / fullCpu;
        double speedup = oneWorker.seconds() / twoWorkers.seconds();
        double p50 = Stats.percentile(freshness, 50);
        double p95 = Stats.percentile(freshness, 95);
        StringBuilder md = new StringBuilder();
        md.append("# Indexer benchmark, ").append(LocalDate.ofInstant(startedAt, ZoneOffset.UTC)).append("\n\n");
        md.append("Generated by `").append(options.commandLine()).append("` (started ")
                .append(startedAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).append(", took ")
                .append(Duration.between(startedAt, Instant.now()).toSeconds()).append(" s). One run; every number below is from it.\n\n");
        if (!droppedIndexes.isEmpty()) {
            md.append("**What-if run, not the product's schema:** before the first rebuild the driver dropped ")
                    .append(droppedIndexes.stream().map(n -> "`" + n + "`").collect(Collectors.joining(", ")))
                    .append(" (`--without-indexes`). The rebuilds below show what a rebuild costs without them; the ")
                    .append("catalog API's reads that need them are slower without them (the freshness polls among them).\n\n");
        }
        md.append("## Machine\n\n");
        md.append("| | |\n| --- | --- |\n");
        md.append("| CPU | ").append(machine.get("cpu")).append(" |\n");
        md.append("| `nproc` | ").append(machine.get("nproc")).append(" |\n");
        md.append("| memory (`free -g`) | ").append(machine.get("memory")).append(" |\n");
        md.append("| Java | ").append(machine.get("java")).append(" |\n");
        md.append("| PostgreSQL | ").append(machine.get("postgres")).append(" |\n");
        md.append("| PostgreSQL server | ").append(machine.get("postgresServer")).append(" |\n");
        md.append("| PostgreSQL settings | ").append(machine.get("postgresSettings")).append(" |\n");
        md.append("| load average before / after | ").append(machine.get("load")).append(" / ")
                .append(machine.get("loadAfter")).append(" |\n");
        md.append("| CPU pressure before / after (PSI `some avg60`: share of time runnable tasks waited for a core) | ")
                .append(machine.get("pressure")).append(" / ").append(machine.get("pressureAfter")).append(" |\n\n");
        md.append("```\n$ free -g\n").append(machine.get("freeRaw")).append("\n```\n\n");
        md.append("Everything ran on this machine, sharing its cores: the registry simulator (its own JVM, `-Xmx1g`, ")
                .append(options.simulatorThreads()).append(" handler threads), the indexer-worker(s) (`-Xmx1g`, default ")
                .append("settings), the api-service, PostgreSQL, Redis, the Kafka broker, `wrk` and this driver. ")
                .append("Whatever else ran on the machine shared it too; the load average and CPU pressure before the run ")
                .append("show how busy it was without the benchmark.\n\n");

        md.append("## Rebuilds\n\n");
        md.append("Time is from the rebuild request (`POST /api/marketplace/index-rebuild`, its `requestedAt`) to the last ")
                .append("registry's `finishedAt` in the rebuild progress. HTTP requests are counted by the simulator ")
                .append("(records, cards, listings). Rows written are the added + updated + removed counts of the rebuild's ")
                .append("progress (cross-checked with the workers' `marketplace.sync.rows.written` counter).\n\n");
        md.append(String.format(Locale.ROOT, "The simulator sends `Cache-Control: max-age=%d` with every card, 200 and 304 "
                + "(`--card-max-age-s`); the workers trust a card's freshness up to `MARKETPLACE_SYNC_CARD_MAX_FRESHNESS` "
                + "(default 1 h). An agent whose record answers 304 while its card is still fresh costs that one "
                + "conditional request: its card is not requested at all. A no-op rebuild within that time therefore "
                + "costs one listing per registry and one record request per agent (without card freshness: a record "
                + "and a card request per agent, both 304). Here: %,d requests for %,d agents, %.2f per agent.%n%n",
                options.cardMaxAgeSeconds(), noop.httpRequests(), noop.agents(),
                (double) noop.httpRequests() / noop.agents()));
        md.append("| run | workers | registries × agents | time | agents/s | HTTP requests | requests/s | rows written (metric) | statuses |\n");
        md.append("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (Rebuild r : List.of(full, noop, twoWorkers, oneWorker)) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %,d × %,d | %.1f s | %,.0f | %,d | %,.0f | %,d (%,.0f) | %s |%n",
                    r.label(), r.workers(), r.registries(), r.agents() / r.registries(), r.seconds(),
                    r.agentsPerSecond(), r.httpRequests(), r.requestsPerSecond(), r.rowsWritten(), r.rowsMetric(),
                    r.statuses()));
        }
        md.append("\n");
        md.append("CPU seconds each component used during the run (process CPU time; PostgreSQL: ")
                .append(ownPostgresPid != null ? "all processes of its server" : "the backends of the benchmark's database")
                .append("), and per 1,000 agents; the workers' JIT compiler threads are counted while they live ")
                .append("(the JVM stops idle ones, so that column is a lower bound). Wall time × 2 cores is the machine's capacity; ")
                .append("what is missing went to Kafka, Redis, the driver and other users of the machine.\n\n");
        md.append("| run | wall × 2 cores | workers | of which the workers' JIT compilers | simulator | api | PostgreSQL | per 1,000 agents (workers / simulator / PostgreSQL) |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (Rebuild r : List.of(full, noop, twoWorkers, oneWorker)) {
            Map<String, Double> c = r.cpuSeconds();
            double k = r.agents() / 1000.0;
            md.append(String.format(Locale.ROOT, "| %s | %.1f s | %.1f s (%s) | %.1f s (%.0f %%) | %.1f s | %.1f s | %.1f s | %.2f / %.2f / %.2f s |%n",
                    r.label(), r.seconds() * 2, c.get("workers"), r.perWorkerCpu(), c.get("workersJit"),
                    100 * c.get("workersJit") / c.get("workers"), c.get("simulator"), c.get("api"),
                    c.get("postgres"), c.get("workers") / k, c.get("simulator") / k, c.get("postgres") / k));
        }
        md.append("\n");
        md.append("Registry commits (the worker's `marketplace.sync.commit` timer: one transaction per registry, up to ")
                .append("its COMMIT), summed over the rebuild's registries, and the part spent in the commit's shared ")
                .append("tail (`marketplace.sync.generation.wait`): the tag counters and the next catalog generation, ")
                .append("whose row locks are held until the taker commits. Everything before the tail overlaps between ")
                .append("registries and workers; the tails queue one behind another.\n\n");
        md.append("| run | wall time | Σ commit time | Σ tail wait (counters + generation) | mean commit per registry |\n");
        md.append("| --- | ---: | ---: | ---: | ---: |\n");
        for (Rebuild r : List.of(full, noop, twoWorkers, oneWorker)) {
            md.append(String.format(Locale.ROOT, "| %s | %.1f s | %.1f s | %.1f s | %.0f ms |%n", r.label(), r.seconds(),
                    r.commitSeconds(), r.generationWaitSeconds(), r.commitSeconds() * 1000 / r.registries()));
        }
        md.append("\n");
        md.append(String.format(Locale.ROOT, "Full and no-op rebuild: %,d registries × %,d agents (the goal size is "
                + "1,000 × 1,000; see below why this size). Between them the driver ran `VACUUM (ANALYZE)` on the index "
                + "tables, as an operator would after a bulk load (otherwise autovacuum does that work, mostly merging the "
                + "GIN pending lists, during whatever runs next): %.1f s.%n%n", options.registries(), options.agents(),
                vacuumSeconds));
        md.append(options.warmupRegistries() == 0
                ? "The workers started cold: the full rebuild includes their JIT compilation.\n\n"
                : String.format(Locale.ROOT, "Before anything was measured, both workers rebuilt a separate set of "
                        + "%,d registries × %,d agents (not measured; its rows stay in the index), so that the full "
                        + "rebuild runs their compiled code, as the `wrk` floor runs the simulator's after its warm-up.%n%n",
                        options.warmupRegistries(), options.agents()));
        md.append(String.format(Locale.ROOT, "Two workers ran the full and no-op rebuilds and the freshness runs, "
                + "as the project deploys them. Latency runs: separate sets of %,d registries × %,d agents, %d ms "
                + "added to every simulator response, each rebuilt once from empty: a first one with both workers, "
                + "not measured, so that both run with their code compiled; then one with both workers; then, "
                + "after the second worker stopped and left the consumer group, the last with the first worker alone."
                + "%n%n", options.scaleRegistries(), options.scaleAgents(), options.latencyMs()));
        md.append("How the registries of the 2-worker run fell on the two workers (each registry id hashes to one of "
                + PARTITIONS + " partitions; each worker owns some partitions): " + split + ".\n\n");

        md.append("## Request-rate floor (`wrk`)\n\n");
        md.append("`wrk -t2 -c").append(options.wrkConnections()).append(" -d").append(options.wrkSeconds())
                .append("s --latency <one record URL>` against the same simulator process, right before and right after ")
                .append("the full rebuild (nothing else of the benchmark ran meanwhile; an unmeasured run of the same length ")
                .append("warmed the simulator up first). The floor is their mean. CPU: wrk's own (bash `time`) and the simulator's.\n\n");
        md.append("| wrk run | requests/s | requests | CPU s wrk + simulator | requests per CPU second |\n");
        md.append("| --- | ---: | ---: | ---: | ---: |\n");
        for (Wrk w : wrks) {
            md.append(String.format(Locale.ROOT, "| %s | %,.0f | %,d | %.1f + %.1f | %,.0f |%n", w.label(),
                    w.requestsPerSecond(), w.requests(), w.wrkCpuSeconds(), w.simulatorCpuSeconds(),
                    w.requestsPerCpuSecond()));
        }
        md.append(String.format(Locale.ROOT, "| full rebuild (for comparison) | %,.0f | %,d | %.1f (all components) | %,.0f |%n%n",
                full.requestsPerSecond(), full.httpRequests(), fullCpu, fullPerCpu));
        for (Wrk w : wrks) {
            md.append("<details><summary>wrk ").append(w.label()).append("</summary>\n\n```\n").append(w.output())
                    .append("\n```\n</details>\n\n");
        }

        md.append("## Freshness\n\n");
        md.append(String.format(Locale.ROOT, "One %,d-agent registry; per run: rename one agent in the simulator, "
                + "`POST /api/marketplace/index-rebuild` for that registry, poll `GET /api/marketplace?q=<new name>` every "
                + "10 ms until it answers the agent. The rename changes the agent's record (its `updatedAt`, so its "
                + "ETag): the record answers 200 and the card is requested again however fresh it is. "
                + "%d runs, in ms: %s%n%n", options.freshnessAgents(),
                freshness.size(), formatSamples(freshness)));

        md.append("## Goals\n\n");
        md.append("| goal | measured | met |\n| --- | --- | --- |\n");
        md.append(goal("full rebuild of 1,000 × 1,000 in a few minutes",
                String.format(Locale.ROOT, "%,d × %,d in %.1f s (%,.0f agents/s; 1,000 × 1,000 would take about %.0f s at this rate)",
                        options.registries(), options.agents(), full.seconds(), full.agentsPerSecond(),
                        1_000_000 / full.agentsPerSecond()), null));
        md.append(goal("no-op rebuild writes 0 rows", String.format(Locale.ROOT, "%,d rows", noop.rowsWritten()),
                noop.rowsWritten() == 0));
        md.append(goal("no-op rebuild ≤ 1/3 of the full rebuild's time",
                String.format(Locale.ROOT, "%.1f s / %.1f s = %.2f", noop.seconds(), full.seconds(), noopShare),
                noopShare <= 1.0 / 3));
        md.append(goal("indexer request rate ≥ 0.3 × the `wrk` floor: full rebuild (fetch, normalize, write)",
                String.format(Locale.ROOT, "%,.0f / %,.0f requests/s = %.2f (per CPU second: %,.0f / %,.0f = %.2f)",
                        full.requestsPerSecond(), floor, wrkRatio, fullPerCpu, floorPerCpu, fullPerCpu / floorPerCpu),
                wrkRatio >= 0.3));
        double noopRatio = noop.requestsPerSecond() / floor;
        md.append(goal("the same for the no-op rebuild (conditional requests only: the fetch path alone)",
                String.format(Locale.ROOT, "%,.0f / %,.0f requests/s = %.2f", noop.requestsPerSecond(), floor, noopRatio),
                noopRatio >= 0.3));
        md.append(goal("2 workers ≥ 1.7 × 1 worker at " + options.latencyMs() + " ms latency",
                String.format(Locale.ROOT, "%.1f s / %.1f s = %.2f×", oneWorker.seconds(), twoWorkers.seconds(), speedup),
                speedup >= 1.7));
        md.append(goal("freshness p95 ≤ 1 s", String.format(Locale.ROOT, "p50 %.0f ms, p95 %.0f ms", p50, p95),
                p95 <= 1000));
        md.append("\n");
        if (!notes.isEmpty()) {
            md.append("## Notes from the run\n\n");
            notes.forEach(n -> md.append("* ").append(n).append('\n'));
            md.append('\n');
        }
        return md.toString();
    }

    private static String goal(String goal, String measured, Boolean met) {
        return "| " + goal + " | " + measured + " | " + (met == null ? "see analysis" : met ? "yes" : "**no**") + " |\n";
    }

    private static String formatSamples(List<Double> samples) {
        StringBuilder sb = new StringBuilder();
        for (double s : samples) {
            sb.append(sb.length() == 0 ? "" : ", ").append(Math.round(s));
        }
        return sb + String.format(Locale.ROOT, " — p50 **%.0f ms**, p95 **%.0f ms**",
                Stats.percentile(samples, 50), Stats.percentile(samples, 95));
    }

    // ------------------------------------------------------------------------------------ plumbing

    private synchronized void stopProcesses() {
        if (processes == null) {
            return;
        }
        processes.close();
        processes = null;
        if (pg != null) {
            try {
                pg.close();
            } catch (SQLException e) {
                // closing anyway
            }
            pg = null;
        }
        if (!options.keepData() && database != null) {
            dropData();
        }
    }

    /** The run's database, topics and consumer group: a benchmark leaves nothing behind unless asked. */
    private void dropData() {
        try {
            TestServices.dropDatabase(database);
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
        }
        try (Admin kafka = kafkaAdmin()) {
            List<String> topics = kafka.listTopics().names().get(10, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(topicPrefix)).toList();
            kafka.deleteTopics(topics).all().get(30, TimeUnit.SECONDS);
            kafka.deleteConsumerGroups(List.of(consumerGroup)).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("could not delete the run's topics / group: " + e.getMessage());
        }
        database = null;
    }

    private static Instant instant(JsonNode value) {
        if (value == null || value.isNull()) {
            throw new IllegalStateException("missing timestamp");
        }
        if (value.isNumber()) {
            return Instant.ofEpochMilli(value.asLong());
        }
        String text = value.asString();
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return OffsetDateTime.parse(text).toInstant();
        }
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition, long pollMillis) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            ServiceProcesses.sleep(pollMillis);
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static void say(String message) {
        System.out.println(java.time.LocalTime.now().withNano(0) + " " + message);
    }
}
