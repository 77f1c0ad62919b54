package io.marketplaceindex.bench.indexer;

import io.marketplaceindex.bench.support.Cli;
import io.marketplaceindex.bench.support.JsonHttp;
import io.marketplaceindex.bench.support.MachineInfo;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The indexer benchmark behind {@code scripts/bench-indexer}: the registry simulator as its own
 * process (from its jar), the api-service and real indexer-worker processes (from theirs), the real
 * PostgreSQL, Redis and Kafka ({@link IndexerStack}). Measures ({@link IndexerMeasure}) a full rebuild,
 * a no-op rebuild, the simulator's raw request rate under {@code wrk}, one worker against two under
 * simulated latency, and the freshness of one registry; writes a Markdown report ({@link IndexerReport}).
 * See {@code scripts/bench-indexer --help}.
 */
public final class IndexerBenchmark {

    private final IndexerOptions options;
    private final IndexerStack stack;
    private final IndexerMeasure measure;
    /** What --without-indexes dropped, resolved to names; empty in a normal run. */
    private List<String> droppedIndexes = List.of();

    private IndexerBenchmark(IndexerOptions options) {
        this.options = options;
        this.stack = new IndexerStack(options);
        this.measure = new IndexerMeasure(stack, options);
    }

    public static void main(String[] argv) {
        IndexerOptions options = Cli.parseOrExit(new IndexerOptions.Flags(), argv, flags -> flags.options(argv))
                .orElse(null);
        if (options == null) {
            return;
        }
        IndexerBenchmark bench = new IndexerBenchmark(options);
        Thread cleanup = new Thread(bench.stack::stop, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            bench.run();
        } catch (RuntimeException e) {
            System.err.println("benchmark failed: " + e);
            e.printStackTrace();
            bench.stack.stop();
            System.exit(1);
        }
        bench.stack.stop();
        System.exit(0);
    }

    private void run() {
        Instant startedAt = Instant.now();
        Map<String, String> machine = MachineInfo.collect();
        say("machine: " + machine.get("cpu") + ", " + machine.get("nproc") + " cores, load " + machine.get("load"));
        stack.start(startedAt);
        if (!options.withoutIndexes().isEmpty()) {
            droppedIndexes = stack.dropCatalogIndexes(options.withoutIndexes());
            say("what-if: dropped " + droppedIndexes);
        }
        if (options.withoutSearch()) {
            say("what-if: dropped " + stack.dropSearch());
        }
        warmUp();
        List<String> benchNames = new ArrayList<>();
        for (int i = 1; i <= options.registries(); i++) {
            benchNames.add("bench-" + i);
        }
        List<String> benchIds = new ArrayList<>(stack.connectEmpty(benchNames).values());
        long benchAgents = (long) options.registries() * options.agents();
        if (options.readLoad()) {
            readLoad(startedAt, machine, benchIds, benchNames, benchAgents);
        } else {
            indexer(startedAt, machine, benchIds, benchNames, benchAgents);
        }
    }

    /**
     * The workers' JIT, as wrk's warm-up run does for the simulator: a separate set, rebuilt once and
     * left in the index; the full rebuild asks for its own registries only.
     */
    private void warmUp() {
        if (options.warmupRegistries() == 0) {
            return;
        }
        List<String> warmNames = new ArrayList<>();
        for (int i = 1; i <= options.warmupRegistries(); i++) {
            warmNames.add("warm-" + i);
            stack.simulator("POST", "/control/registries?name=warm-" + i + "&agents=" + options.agents() + "&seed=5");
        }
        Map<String, String> warmIds = stack.connectEmpty(warmNames);
        measure.rebuild("warm-up (not measured)", new ArrayList<>(warmIds.values()), warmNames,
                (long) options.warmupRegistries() * options.agents());
    }

    /** The full and no-op rebuild bracketed by the floor, freshness, one worker against two; the report. */
    private void indexer(Instant startedAt, Map<String, String> machine, List<String> benchIds, List<String> benchNames,
                         long benchAgents) {
        // The floor, right before and right after the full rebuild (other users of the machine
        // come and go; the two runs bracket the rebuild), after a short warm-up of the simulator.
        String handle = stack.simulator("GET", "/control/registries/bench-1/agents").get("agents").get(0)
                .get("handle").asString();
        String recordUrl = stack.simulator.url() + "/registries/bench-1/v1/records/" + JsonHttp.query(handle);
        // The simulator's JIT must be warm for the first floor too (3 s was not enough under load).
        measure.floor("warm-up", recordUrl, options.wrkSeconds());
        FloorRun wrkBefore = measure.floor("before the full rebuild", recordUrl, options.wrkSeconds());
        Rebuild full = measure.rebuild("full rebuild", benchIds, benchNames, benchAgents);
        CatalogSizes rebuiltSizes = CatalogSizes.measure(stack.pg);
        FloorRun wrkAfter = measure.floor("after the full rebuild", recordUrl, options.wrkSeconds());
        // What an operator does after a bulk load, and what autovacuum would otherwise do during
        // whatever runs next: merge the GIN pending lists, refresh statistics. Timed and reported.
        double vacuumSeconds = measure.vacuum();
        CatalogSizes vacuumedSizes = CatalogSizes.measure(stack.pg);
        Rebuild noop = measure.rebuild("no-op rebuild", benchIds, benchNames, benchAgents);

        stack.simulator("POST", "/control/registries?name=fresh-1&agents=" + options.freshnessAgents() + "&seed=7");
        String freshId = stack.connect(List.of("fresh-1"), false).get("fresh-1");
        stack.awaitSynced(List.of(freshId));
        List<Double> freshness = measure.freshness("fresh-1", freshId);

        Scale scale = oneWorkerAgainstTwo();
        machine.put("loadAfter", MachineInfo.loadAverage());
        machine.put("pressureAfter", MachineInfo.cpuPressure());
        machine.put("postgres", stack.postgresVersion());
        machine.put("postgresServer", stack.ownPostgresPid != null
                ? "the benchmark's own, started for this run (`--postgres own`); CPU: all of its processes"
                : "the machine's (`--postgres shared`); CPU: the backends of the benchmark's database");
        machine.put("postgresSettings", stack.postgresSettings());
        writeReport(IndexerReport.markdown(options, new IndexerReport.Results(startedAt, machine, full, vacuumSeconds,
                rebuiltSizes, vacuumedSizes, noop, List.of(wrkBefore, wrkAfter), freshness, scale.twoWorkers(),
                scale.oneWorker(), scale.split(), droppedIndexes, stack.ownPostgresPid != null, measure.notes)));
    }

    private record Scale(Rebuild twoWorkers, Rebuild oneWorker, String split) {
    }

    /**
     * Three equal sets, each rebuilt once from empty: W with both workers, unmeasured, so that both run
     * this path's code compiled (however small the rebuilds before were); B with both workers; then the
     * second worker stops (SIGTERM: it leaves the consumer group) and A is rebuilt by the first alone.
     */
    private Scale oneWorkerAgainstTwo() {
        Map<String, List<String>> sets = new LinkedHashMap<>();
        Map<String, List<String>> setIds = new LinkedHashMap<>();
        for (String set : List.of("w", "b", "a")) {
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= options.scaleRegistries(); i++) {
                names.add("scale-" + set + "-" + i);
                stack.simulator("POST", "/control/registries?name=" + names.get(i - 1) + "&agents="
                        + options.scaleAgents() + "&seed=3");
                stack.simulator("POST", "/control/registries/" + names.get(i - 1) + "/latency?ms=" + options.latencyMs());
            }
            sets.put(set, names);
            setIds.put(set, new ArrayList<>(stack.connectEmpty(names).values()));
        }
        long scaleAgents = (long) options.scaleRegistries() * options.scaleAgents();
        String latency = "latency " + options.latencyMs() + " ms, ";
        measure.rebuild(latency + "warm-up, 2 workers", setIds.get("w"), sets.get("w"), scaleAgents);
        String split = stack.partitionSplit(setIds.get("b"));
        say("registries per consumer of the 2-worker run: " + split);
        Rebuild twoWorkers = measure.rebuild(latency + "2 workers", setIds.get("b"), sets.get("b"), scaleAgents);
        stack.stopSecondWorker();
        Rebuild oneWorker = measure.rebuild(latency + "1 worker", setIds.get("a"), sets.get("a"), scaleAgents);
        return new Scale(twoWorkers, oneWorker, split);
    }

    /**
     * The catalog API under wrk, idle (before and after) and for the length of the full rebuild; the
     * mix reads what the warm-up set put in the index, so the idle runs read a catalog too.
     */
    private void readLoad(Instant startedAt, Map<String, String> machine, List<String> ids, List<String> names,
                          long agents) {
        JsonNode first = stack.plain.get(stack.api.url() + "/api/marketplace?limit=1").ok().get("data");
        if (first.isEmpty()) {
            throw new IllegalStateException("--read-load reads the warm-up set: --warmup-registries must be > 0");
        }
        JsonNode agent = first.get(0);
        String tag = stack.plain.get(stack.api.url() + "/api/marketplace/tags").ok().get("data").get(0).get("tag")
                .asString();
        String word = agent.get("name").asString().split("[^A-Za-z0-9]+")[0].toLowerCase(Locale.ROOT);
        List<String> paths = List.of("/api/marketplace", "/api/marketplace?limit=50&offset=1000",
                "/api/marketplace?q=" + JsonHttp.query(word), "/api/marketplace?tags=" + JsonHttp.query(tag),
                "/api/marketplace?sort=handle&limit=20", "/api/marketplace/tags",
                "/api/marketplace/" + agent.get("registryId").asString() + "/" + JsonHttp.query(agent.get("handle").asString()),
                "/api/marketplace/changes?limit=100", "/api/marketplace/changes/head");
        ReadLoad load = new ReadLoad(stack.api.url(), paths, options.wrkConnections(), 5,
                options.repo().resolve("benchmarks/target/read-load"));
        say("read load: " + paths);
        say(ReadLoad.format(load.measure("warm-up (not reported)", options.wrkSeconds())));
        ReadLoad.Result before = load.measure("idle, before the rebuild", options.wrkSeconds());
        say(ReadLoad.format(before));
        ReadLoad.Running running = load.start("during the full rebuild", 3600);
        Rebuild full;
        ReadLoad.Result during;
        try {
            full = measure.rebuild("full rebuild under read load", ids, names, agents);
        } finally {
            // stopped whatever happened: wrk would outlive the driver otherwise
            during = running.stop();
        }
        say(ReadLoad.format(during));
        ReadLoad.Result after = load.measure("idle, after the rebuild", options.wrkSeconds());
        say(ReadLoad.format(after));
        machine.put("loadAfter", MachineInfo.loadAverage());
        machine.put("pressureAfter", MachineInfo.cpuPressure());
        machine.put("postgres", stack.postgresVersion());
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

    static void say(String message) {
        System.out.println(java.time.LocalTime.now().withNano(0) + " " + message);
    }
}
