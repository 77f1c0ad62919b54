package io.marketplaceindex.bench.read;

import io.marketplaceindex.bench.support.Stats;
import io.marketplaceindex.bench.support.Cli;
import io.marketplaceindex.bench.support.Log;
import io.marketplaceindex.testsupport.ServiceProcesses;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The read benchmark behind {@code scripts/bench-read}: for each catalog size, load, measure the raw
 * SQL, measure over HTTP (uncached, cached, throughput, floors), run the whole-catalog baseline, and
 * write the report. Options are {@code --key=value}; the script documents them.
 */
public final class ReadBenchmark {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private ReadBenchmark() {
    }

    /** Everything measured for one catalog size. */
    record SizeResult(long rows, BulkLoader.Result load, boolean reusedDatabase, Map<String, String> displays,
                      List<String> extras, Map<String, Long> matches,
                      Map<String, ApiAnswer> answers, Map<String, SqlProbe.Timing> sql, Map<String, Wrk.Run> uncached,
                      Map<String, Wrk.Run> cachedLatency, Map<String, Wrk.Run> cachedThroughput,
                      Map<String, Wrk.Run> floors, Map<String, Wrk.Run> pairedFloor, Map<String, String> pressure,
                      JsonNode baseline, String loadBefore, String loadAfter,
                      String otherProcesses, long cachedApiRssBytes, long uncachedApiRssBytes, double httpPhaseSeconds) {
    }

    /** What the API answered to one request of a kind (checked before it is measured). */
    record ApiAnswer(int status, long total, boolean totalExact, int items, int bytes, String cache) {
    }

    public static void main(String[] args) throws Exception {
        // the libraries' own logging (Kafka admin, Hikari, Flyway) only when something is wrong
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        ReadOptions o = Cli.parseOrExit(new ReadOptions(), args, options -> options.validated(args)).orElse(null);
        if (o == null) {
            return;
        }
        if (o.generateOnly != null) {
            // generator throughput alone, one thread: what COPY can be fed at most per connection
            long n = o.generateOnly;
            AgentFactory factory = new AgentFactory(o.seed);
            AgentFactory.Registry registry = AgentFactory.registries(42, 1, n).get(0);
            long bytes = 0;
            for (int round = 0; round < 2; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    bytes += factory.row(registry, i).agentJson().length();
                }
                Log.info("generated %,d rows in %.2f s (%,.0f rows/s), %d chars/agent", n, BulkLoader.seconds(t0),
                        n / BulkLoader.seconds(t0), bytes / ((round + 1) * n));
            }
            return;
        }
        if (o.baselineOnly != null) {
            Baseline.main(new String[]{o.baselineOnly, o.pgUser, o.pgPassword});
            return;
        }
        new Run(o).execute();
    }

    static final class Run {
        final ReadOptions o;
        final List<Long> sizes;
        final Path workDir;
        final Path out;
        final BulkLoader.Db db;
        final int duration;
        final int warmup;
        final int threads;
        final int connections;
        final int latencyConnections;
        final int sqlRuns;
        /** The api-service processes: stopped at the end, or by the shutdown hook should the run be interrupted. */
        final ServiceProcesses processes;
        final String started = ZonedDateTime.now().toString();

        Run(ReadOptions o) throws IOException {
            this.o = o;
            this.sizes = Arrays.stream(o.sizes.split(",")).map(String::trim)
                    .map(s -> s.replace("_", "")).map(Long::parseLong).toList();
            this.workDir = Path.of(o.workDir).toAbsolutePath();
            Files.createDirectories(workDir);
            this.processes = new ServiceProcesses(workDir);
            this.out = Path.of(o.out).toAbsolutePath();
            Files.createDirectories(out.getParent());
            this.db = new BulkLoader.Db(o.pgUrl, o.db,
                    o.pgUser, o.pgPassword);
            this.duration = o.duration;
            this.warmup = o.warmup;
            this.threads = o.threads;
            this.connections = o.connections;
            this.latencyConnections = o.latencyConnections;
            this.sqlRuns = o.sqlRuns;
        }

        void execute() throws Exception {
            Map<Long, SizeResult> results = new LinkedHashMap<>();
            Report report = new Report(this);
            Thread dropOnInterrupt = new Thread(() -> {
                processes.close();
                try {
                    if (!o.keepDb) {
                        db.drop();
                    }
                } catch (Exception e) {
                    System.err.println("could not drop " + db.name() + ": " + e.getMessage());
                }
            });
            Runtime.getRuntime().addShutdownHook(dropOnInterrupt);
            try {
                for (long size : sizes) {
                    results.put(size, measure(size));
                    report.write(results); // after every size: a later failure keeps what was measured
                }
            } finally {
                processes.close();
                if (!o.keepDb) {
                    db.drop();
                    Log.info("dropped database %s", db.name());
                }
                deleteTopics(o.topicPrefix, o.kafka);
            }
            Log.info("report: %s", out);
        }

        private SizeResult measure(long size) throws Exception {
            Log.info("=== %,d rows ===", size);
            BulkLoader.Result load = null;
            boolean reused = false;
            if (o.reuseDb && db.exists() && rowCount() == size) {
                reused = true;
                Log.info("reusing %s (%,d rows)", db.name(), size);
            } else {
                load = new BulkLoader(db, o.seed, o.loadThreads,
                        o.indexThreads, o.maintenanceWorkMem)
                        .load(size, o.registries);
            }
            String sizeTag = size >= 1_000_000 && size % 1_000_000 == 0 ? (size / 1_000_000) + "m" : Long.toString(size);
            Path staticDir = workDir.resolve("static-" + sizeTag);
            Files.createDirectories(staticDir.resolve("assets"));
            Path staticPage = workDir.resolve("static-page-" + sizeTag + ".json");
            Files.deleteIfExists(staticPage);

            String runId = Long.toString(System.currentTimeMillis(), 36);
            String keyPrefix = o.cacheKeyPrefix + runId + ":";
            String topicPrefix = o.topicPrefix;
            int port = o.port;
            List<String> jvm = Arrays.asList(o.apiJvm.trim().split("\\s+"));
            Path apiJar = Path.of(o.apiJar).toAbsolutePath();
            Path floorJar = Path.of(o.floorJar).toAbsolutePath();
            String redis = o.redis;
            String kafka = o.kafka;

            Map<String, Long> matches;
            Map<String, ApiAnswer> answers = new LinkedHashMap<>();
            Map<String, SqlProbe.Timing> sql = new LinkedHashMap<>();
            Map<String, Wrk.Run> uncached = new LinkedHashMap<>();
            Map<String, Wrk.Run> cachedLatency = new LinkedHashMap<>();
            Map<String, Wrk.Run> cachedThroughput = new LinkedHashMap<>();
            Map<String, Wrk.Run> floors = new LinkedHashMap<>();
            Map<String, Wrk.Run> pairedFloor = new LinkedHashMap<>();
            Map<String, String> pressure = new LinkedHashMap<>();
            String loadBefore;
            String otherProcesses;
            long cachedRss;
            long uncachedRss;
            double httpSeconds;
            List<QueryKind> kinds;
            ApiInstance.Settings settings = new ApiInstance.Settings(db.url(), db.user(), db.password(), redis, kafka,
                    topicPrefix, staticPage, staticDir);
            try (ApiInstance cached = ApiInstance.start(processes, "cached-" + sizeTag, apiJar, floorJar, jvm, port,
                    settings, keyPrefix + "c:", o.cacheTtl);
                 ApiInstance cold = ApiInstance.start(processes, "uncached-" + sizeTag, apiJar, floorJar, jvm, port + 1,
                         settings, keyPrefix + "u:", "1ms")) {
                kinds = plan(cached, size);
                matches = matches(kinds);

                // the floor: the exact bytes of a cached first page, served without Redis, SQL or JSON work
                String floorSource = kinds.get(0).path();
                cached.getBytes(floorSource);
                HttpResponse<byte[]> page = cached.getBytes(floorSource);
                Files.write(staticPage, page.body());
                Files.write(staticDir.resolve("assets/bench-floor.json"), page.body());

                for (QueryKind kind : kinds) {
                    HttpResponse<String> r = cold.get(kind.path());
                    JsonNode body = JSON.readTree(r.body());
                    JsonNode data = body.get("data");
                    JsonNode meta = body.get("meta");
                    answers.put(kind.name(), new ApiAnswer(r.statusCode(),
                            body.has("total") ? body.get("total").asLong() : -1,
                            meta != null && meta.has("totalExact") ? meta.get("totalExact").asBoolean()
                                    : meta != null && meta.has("exact") && meta.get("exact").asBoolean(),
                            data == null ? -1 : data.size(), r.body().getBytes(StandardCharsets.UTF_8).length,
                            r.headers().firstValue("X-Cache").orElse("")));
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(kind.name() + ": " + r.statusCode() + " " + r.body());
                    }
                }

                Log.info("raw SQL through the api-service repositories, %d runs per kind", sqlRuns);
                List<String> plans = new ArrayList<>();
                try (SqlProbe probe = new SqlProbe(db.url(), db.user(), db.password(),
                        o.exactCountTimeout)) {
                    // JIT of this JVM, plan caches and buffers of the server: every kind a few times first
                    for (int round = 0; round < o.sqlWarmupRounds; round++) {
                        for (QueryKind kind : kinds) {
                            probe.once(kind, kind.params());
                        }
                    }
                    for (QueryKind kind : kinds) {
                        Conditions.awaitQuiet(o.quietPressure, o.quietMaxWait);
                        SqlProbe.Timing t = probe.time(kind, kind.variants(), sqlRuns, true);
                        sql.put(kind.name(), t);
                        Log.info("  sql %-16s p50 %7.2f ms  p95 %7.2f ms  (EXPLAIN ANALYZE: %.2f ms)", kind.name(),
                                Stats.median(t.totalMillis()), Stats.percentile(t.totalMillis(), 95), t.explainMillis());
                        plans.add("=== " + kind.name() + ": " + kind.path() + "\n" + String.join("\n", t.plans()));
                    }
                }
                Files.writeString(plansFile(sizeTag), "Plans of the read benchmark, " + size + " rows, " + started
                        + "\nEach statement as the api-service ran it (recorded through its repositories), then "
                        + "EXPLAIN (ANALYZE, BUFFERS).\n\n" + String.join("\n", plans));

                loadBefore = Conditions.loadAverage();
                otherProcesses = Conditions.topProcesses(List.of(cached.pid(), cold.pid()));
                long httpStart = System.nanoTime();
                Wrk wrk = new Wrk(workDir);
                // JIT: both processes serve every kind for a while before anything is measured
                List<String> allPaths = kinds.stream().map(QueryKind::path).toList();
                int globalWarmup = o.globalWarmup;
                wrk.run("all/warmup-uncached", cold.baseUrl(), allPaths, 2, 4, globalWarmup, 2, false);
                wrk.run("all/warmup-cached", cached.baseUrl(), allPaths, 2, 8, globalWarmup, 0, false);
                int quietPressure = o.quietPressure;
                int quietWait = o.quietMaxWait;
                for (QueryKind kind : kinds) {
                    List<String> paths = List.of(kind.path());
                    pressure.put(kind.name(), Conditions.awaitQuiet(quietPressure, quietWait));
                    // uncached: every request misses Redis (entries live 1 ms; 2 ms pause between requests)
                    wrk.run(kind.name() + "/uncached-warmup", cold.baseUrl(), paths, 1, latencyConnections, warmup, 2, false);
                    uncached.put(kind.name(), wrk.run(kind.name() + "/uncached", cold.baseUrl(), paths, 1,
                            latencyConnections, duration, 2, true));
                    // cached: the same request repeated; the first one fills the cache
                    wrk.run(kind.name() + "/cached-warmup", cached.baseUrl(), paths, 1, latencyConnections, warmup, 0, false);
                    cachedLatency.put(kind.name(), wrk.run(kind.name() + "/cached", cached.baseUrl(), paths, 1,
                            latencyConnections, duration, 0, true));
                    cachedThroughput.put(kind.name(), wrk.run(kind.name() + "/cached-throughput", cached.baseUrl(),
                            paths, threads, connections, duration, 0, false));
                    // the floor right after, so that both see the same neighbours on the shared machine
                    pairedFloor.put(kind.name(), wrk.run(kind.name() + "/floor-throughput", cached.baseUrl(),
                            List.of(Report.FLOOR), threads, connections, duration, 0, false));
                }
                pressure.put("floors", Conditions.awaitQuiet(quietPressure, quietWait));
                for (String floor : List.of("/api/marketplace/_bench/static-page", "/assets/bench-floor.json")) {
                    List<String> paths = List.of(floor);
                    wrk.run(floor + "/warmup", cached.baseUrl(), paths, threads, connections, warmup, 0, false);
                    floors.put(floor + " latency", wrk.run(floor + "/latency", cached.baseUrl(), paths, 1,
                            latencyConnections, duration, 0, false));
                    floors.put(floor, wrk.run(floor + "/throughput", cached.baseUrl(), paths, threads, connections,
                            duration, 0, false));
                }
                httpSeconds = BulkLoader.seconds(httpStart);
                cachedRss = cached.rssBytes();
                uncachedRss = cold.rssBytes();
            }
            String loadAfter = Conditions.loadAverage();

            JsonNode baseline = null;
            String mode = o.baseline;
            if (!mode.equals("off")) {
                baseline = baseline();
            }
            Map<String, String> displays = new LinkedHashMap<>();
            kinds.forEach(k -> displays.put(k.name(), k.display()));
            List<String> extras = kinds.stream().filter(QueryKind::extra).map(QueryKind::name).toList();
            return new SizeResult(size, load, reused, displays, extras, matches, answers, sql, uncached, cachedLatency, cachedThroughput,
                    floors, pairedFloor, pressure, baseline, loadBefore, loadAfter, otherProcesses, cachedRss, uncachedRss, httpSeconds);
        }

        /** The topics the benchmark's api-service processes created on the (shared) broker. */
        private static void deleteTopics(String prefix, String kafka) {
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                    "bootstrap.servers", kafka, "request.timeout.ms", 5000, "default.api.timeout.ms", 10000))) {
                List<String> ours = admin.listTopics().names().get(10, TimeUnit.SECONDS).stream()
                        .filter(t -> t.startsWith(prefix)).toList();
                if (!ours.isEmpty()) {
                    admin.deleteTopics(ours).all().get(20, TimeUnit.SECONDS);
                    Log.info("deleted topics %s", ours);
                }
            } catch (Exception e) {
                Log.info("could not delete the benchmark topics (%s*): %s", prefix, e.getMessage());
            }
        }

        Path plansFile(String sizeTag) {
            String name = out.getFileName().toString().replaceFirst("\\.md$", "");
            return out.resolveSibling(name + "-plans-" + sizeTag + ".txt");
        }

        private long rowCount() throws Exception {
            try (Connection c = db.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT coalesce(sum(record_count), 0) FROM marketplace_registries")) {
                rs.next();
                return rs.getLong(1);
            }
        }

        /** The requests of each kind, with values chosen from the loaded catalog. */
        private List<QueryKind> plan(ApiInstance api, long size) throws Exception {
            String commonTag;
            String rareTag;
            String registryUrl;
            String smallRegistryUrl;
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT tag FROM marketplace_tag_counts ORDER BY agent_count DESC, tag LIMIT 1")) {
                    rs.next();
                    commonTag = rs.getString(1);
                }
                try (ResultSet rs = st.executeQuery("SELECT tag FROM marketplace_tag_counts ORDER BY agent_count, tag LIMIT 1")) {
                    rs.next();
                    rareTag = rs.getString(1);
                }
                try (ResultSet rs = st.executeQuery("SELECT url FROM marketplace_registries ORDER BY record_count DESC, url LIMIT 1")) {
                    rs.next();
                    registryUrl = rs.getString(1);
                }
                try (ResultSet rs = st.executeQuery("SELECT url FROM marketplace_registries ORDER BY record_count, url LIMIT 1")) {
                    rs.next();
                    smallRegistryUrl = rs.getString(1);
                }
            }
            String commonWord = o.qCommon != null ? o.qCommon : Vocabulary.WORDS.get(0);
            String midWord = o.qMid != null ? o.qMid : Vocabulary.WORDS.get(100);
            String rareWord = o.qRare != null ? o.qRare : Vocabulary.WORDS.get(15_000);
            int depth = o.depth;
            // the cursor of the page at depth N, as a client walking the catalog would get it from meta.nextCursor
            HttpResponse<String> before = api.get("/api/marketplace?sort=name&limit=50&offset=" + (depth - 50));
            String cursor = JSON.readTree(before.body()).get("meta").get("nextCursor").stringValue();

            List<QueryKind> all = List.of(
                    QueryKind.catalog("name_first", "first page, sort=name", false, "sort", "name"),
                    QueryKind.catalog("handle_first", "first page, sort=handle", false, "sort", "handle"),
                    QueryKind.catalog("q_common", "q = a frequent word", false, "q", commonWord),
                    QueryKind.catalog("q_rare", "q = a rare word", false, "q", rareWord),
                    QueryKind.catalog("tag_common", "tags = the most frequent tag", false, "tags", commonTag),
                    QueryKind.catalog("tag_rare", "tags = the least frequent tag", false, "tags", rareTag),
                    QueryKind.catalog("registry", "registryUrl = the largest registry", false, "registryUrl", registryUrl),
                    QueryKind.catalog("offset_" + depth / 1000 + "k", "offset=" + depth + ", sort=name", false,
                            "sort", "name", "offset", Integer.toString(depth)),
                    QueryKind.catalog("cursor_" + depth / 1000 + "k", "cursor page at depth " + depth + ", sort=name",
                            false, "sort", "name", "cursor", cursor),
                    QueryKind.tags("facets", "tag facets, whole catalog", false),
                    QueryKind.catalog("registry_small", "registryUrl = the smallest registry", true, "registryUrl",
                            smallRegistryUrl),
                    QueryKind.catalog("q_mid", "q = a mid-frequency word", true, "q", midWord),
                    QueryKind.tags("facets_q_rare", "tag facets under q = a rare word", true, "q", rareWord),
                    QueryKind.tags("facets_q_common", "tag facets under q = a frequent word", true, "q", commonWord));
            String only = o.kinds;
            if (only.equals("all")) {
                return all;
            }
            List<String> wanted = Arrays.asList(only.split(","));
            // name_first comes first whatever is asked: the floor page is its cached answer
            return all.stream().filter(k -> k.name().equals("name_first") || wanted.contains(k.name())
                    || wanted.contains(k.name().replaceAll("_\\d+k$", ""))).toList();
        }

        /** How many agents each kind matches, counted exactly (no time budget), for the report. */
        private Map<String, Long> matches(List<QueryKind> kinds) throws Exception {
            Map<String, Long> counts = new LinkedHashMap<>();
            try (Connection c = db.connect()) {
                try (Statement st = c.createStatement()) {
                    st.execute("SET statement_timeout = '300s'");
                }
                for (QueryKind k : kinds) {
                    Map<String, String> p = k.params();
                    String where;
                    String value = null;
                    if (k.endpoint() == QueryKind.Endpoint.TAGS) {
                        if (p.containsKey("q")) {
                            where = "search_text LIKE '%' || ? || '%'";
                            value = io.marketplaceindex.agent.AgentIndexFields.searchNeedle(p.get("q").trim());
                        } else {
                            where = "true";
                        }
                    } else if (p.containsKey("q")) {
                        where = "search_text LIKE '%' || ? || '%'";
                        value = io.marketplaceindex.agent.AgentIndexFields.searchNeedle(p.get("q").trim());
                    } else if (p.containsKey("tags")) {
                        where = "tags && ARRAY[?]::text[]";
                        value = p.get("tags");
                    } else if (p.containsKey("registryUrl")) {
                        where = "registry_id IN (SELECT id FROM marketplace_registries WHERE url = ?)";
                        value = p.get("registryUrl");
                    } else {
                        where = "true";
                    }
                    long t0 = System.nanoTime();
                    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM marketplace_catalog_rows WHERE " + where)) {
                        if (value != null) {
                            ps.setString(1, value);
                        }
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            counts.put(k.name(), rs.getLong(1));
                        }
                    }
                    Log.info("  %-16s matches %,d agents (exact count: %.1f s)", k.name(), counts.get(k.name()),
                            BulkLoader.seconds(t0));
                }
            }
            return counts;
        }

        /** The replaced product's whole-catalog load, in a JVM of its own. */
        private JsonNode baseline() throws Exception {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + o.baselineHeap, "-XX:+UseG1GC", "-cp", System.getProperty("java.class.path"),
                    Baseline.class.getName(), db.url(), db.user(), db.password()));
            Log.info("baseline: whole catalog parsed into memory (-Xmx%s)", o.baselineHeap);
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.HOURS) || p.exitValue() != 0) {
                Log.info("baseline failed:\n%s", output);
                return JSON.readTree("{\"failed\":" + JSON.writeValueAsString(output.lines().limit(5).toList()) + "}");
            }
            String line = output.lines().filter(l -> l.startsWith("BASELINE ")).findFirst().orElseThrow();
            JsonNode result = JSON.readTree(line.substring(9));
            Log.info("  %,d rows in %.1f s, %.0f bytes/agent on the heap%s", result.get("rows").asLong(),
                    result.get("seconds").asDouble(), result.get("bytesPerAgent").asDouble(),
                    result.get("extrapolated").asBoolean() ? " (memory extrapolated)" : "");
            return result;
        }
    }

    /** {@code --key=value} options. */

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%,.0f MB", bytes / 1e6);
    }
}
