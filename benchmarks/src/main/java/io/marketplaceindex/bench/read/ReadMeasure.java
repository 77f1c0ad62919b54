package io.marketplaceindex.bench.read;

import io.marketplaceindex.bench.read.ReadBenchmark.ApiAnswer;
import io.marketplaceindex.bench.read.ReadBenchmark.SizeResult;
import io.marketplaceindex.bench.support.ApiInstance;
import io.marketplaceindex.bench.support.Log;
import io.marketplaceindex.bench.support.Stats;
import io.marketplaceindex.testsupport.ServiceProcesses;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.marketplaceindex.bench.read.ReadBenchmark.JSON;

/**
 * The read benchmark's measurements of one catalog size: load (or reuse) the database, start the cached
 * and the uncached api-service, check every kind's answer, time its SQL, measure it over HTTP with wrk
 * beside the floors, and run the whole-catalog baseline.
 */
final class ReadMeasure {

    /** What the HTTP phase measured. */
    private record Http(Map<String, Wrk.Run> uncached, Map<String, Wrk.Run> cachedLatency,
                        Map<String, Wrk.Run> cachedThroughput, Map<String, Wrk.Run> floors,
                        Map<String, Wrk.Run> pairedFloor, Map<String, String> pressure, String loadBefore,
                        String otherProcesses, double seconds) {
    }

    private final ReadBenchmark.Run run;
    private final ReadOptions o;
    private final ReadDatabase db;

    ReadMeasure(ReadBenchmark.Run run) {
        this.run = run;
        this.o = run.o;
        this.db = run.db;
    }

    SizeResult measure(long size) throws Exception {
        Log.info("=== %,d rows ===", size);
        boolean reused = o.reuseDb && db.exists() && rowCount() == size;
        BulkLoader.Result load = null;
        if (reused) {
            Log.info("reusing %s (%,d rows)", db.name(), size);
            BulkLoader.migrate(db);
        } else {
            load = new BulkLoader(db, o.seed, o.loadThreads, o.indexThreads, o.maintenanceWorkMem)
                    .load(size, o.registries);
        }
        String sizeTag = size >= 1_000_000 && size % 1_000_000 == 0 ? (size / 1_000_000) + "m" : Long.toString(size);
        Path staticDir = run.workDir.resolve("static-" + sizeTag);
        Files.createDirectories(staticDir.resolve("assets"));
        Path staticPage = run.workDir.resolve("static-page-" + sizeTag + ".json");
        Files.deleteIfExists(staticPage);
        String keyPrefix = o.cacheKeyPrefix + Long.toString(System.currentTimeMillis(), 36) + ":";
        List<String> jvm = Arrays.asList(o.apiJvm.trim().split("\\s+"));
        Path apiJar = Path.of(o.apiJar).toAbsolutePath();
        Path floorJar = Path.of(o.floorJar).toAbsolutePath();
        ApiInstance.Settings settings = new ApiInstance.Settings(db.url(), db.user(), db.password(), o.servers.redis, o.servers.kafka,
                o.topicPrefix, staticPage, staticDir);
        List<QueryKind> kinds;
        Map<String, Long> matches;
        Map<String, ApiAnswer> answers;
        Map<String, SqlProbe.Timing> sql;
        Http http;
        long cachedRss;
        long uncachedRss;
        try (ApiInstance cached = ApiInstance.start(run.processes, "cached-" + sizeTag, apiJar, floorJar, jvm, o.port,
                settings, keyPrefix + "c:", o.cacheTtl);
             ApiInstance cold = ApiInstance.start(run.processes, "uncached-" + sizeTag, apiJar, floorJar, jvm, o.port + 1,
                     settings, keyPrefix + "u:", "1ms")) {
            kinds = plan(cached, size);
            matches = matches(kinds);
            // the floor: the exact bytes of a cached first page, served without Redis, SQL or JSON work
            String floorSource = kinds.get(0).path();
            cached.getBytes(floorSource);
            HttpResponse<byte[]> page = cached.getBytes(floorSource);
            Files.write(staticPage, page.body());
            Files.write(staticDir.resolve("assets/bench-floor.json"), page.body());
            answers = answers(cold, kinds);
            sql = sqlTimings(kinds, size, sizeTag);
            http = http(cached, cold, kinds);
            cachedRss = cached.rssBytes();
            uncachedRss = cold.rssBytes();
        }
        String loadAfter = Conditions.loadAverage();
        JsonNode baseline = o.baseline.equals("off") ? null : baseline();
        Map<String, String> displays = new LinkedHashMap<>();
        kinds.forEach(k -> displays.put(k.name(), k.display()));
        List<String> extras = kinds.stream().filter(QueryKind::extra).map(QueryKind::name).toList();
        return new SizeResult(size, load, reused, displays, extras, matches, answers, sql, http.uncached(),
                http.cachedLatency(), http.cachedThroughput(), http.floors(), http.pairedFloor(), http.pressure(),
                baseline, http.loadBefore(), loadAfter, http.otherProcesses(), cachedRss, uncachedRss, http.seconds());
    }

    /** What the uncached instance answers to each kind: a kind that fails is not measured. */
    private Map<String, ApiAnswer> answers(ApiInstance cold, List<QueryKind> kinds)
            throws IOException, InterruptedException {
        Map<String, ApiAnswer> answers = new LinkedHashMap<>();
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
            if (kind.relevance() && (data == null || data.isEmpty())) {
                // its words were chosen to match: an empty ranking would measure nothing
                throw new IllegalStateException(kind.name() + ": no agent matches " + kind.path());
            }
        }
        return answers;
    }

    /** The raw SQL of every kind through the api-service's repositories; the plans beside the report. */
    private Map<String, SqlProbe.Timing> sqlTimings(List<QueryKind> kinds, long size, String sizeTag)
            throws Exception {
        Map<String, SqlProbe.Timing> sql = new LinkedHashMap<>();
        Log.info("raw SQL through the api-service repositories, %d runs per kind", run.sqlRuns);
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
                SqlProbe.Timing t = probe.time(kind, kind.variants(), run.sqlRuns, true);
                sql.put(kind.name(), t);
                Log.info("  sql %-16s p50 %7.2f ms  p95 %7.2f ms  (EXPLAIN ANALYZE: %.2f ms)", kind.name(),
                        Stats.median(t.totalMillis()), Stats.percentile(t.totalMillis(), 95), t.explainMillis());
                plans.add("=== " + kind.name() + ": " + kind.path() + "\n" + String.join("\n", t.plans()));
            }
        }
        Files.writeString(run.plansFile(sizeTag), "Plans of the read benchmark, " + size + " rows, " + run.started
                + "\nEach statement as the api-service ran it (recorded through its repositories), then "
                + "EXPLAIN (ANALYZE, BUFFERS).\n\n" + String.join("\n", plans));
        return sql;
    }

    /** Every kind uncached, cached and at throughput, each throughput paired with the floor; then the floors. */
    private Http http(ApiInstance cached, ApiInstance cold, List<QueryKind> kinds)
            throws IOException, InterruptedException {
        Map<String, Wrk.Run> uncached = new LinkedHashMap<>();
        Map<String, Wrk.Run> cachedLatency = new LinkedHashMap<>();
        Map<String, Wrk.Run> cachedThroughput = new LinkedHashMap<>();
        Map<String, Wrk.Run> floors = new LinkedHashMap<>();
        Map<String, Wrk.Run> pairedFloor = new LinkedHashMap<>();
        Map<String, String> pressure = new LinkedHashMap<>();
        String loadBefore = Conditions.loadAverage();
        String otherProcesses = Conditions.topProcesses(List.of(cached.pid(), cold.pid()));
        long httpStart = System.nanoTime();
        Wrk wrk = new Wrk(run.workDir);
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
            wrk.run(kind.name() + "/uncached-warmup", cold.baseUrl(), paths, 1, run.latencyConnections, run.warmup, 2,
                    false);
            uncached.put(kind.name(), wrk.run(kind.name() + "/uncached", cold.baseUrl(), paths, 1,
                    run.latencyConnections, run.duration, 2, true));
            // cached: the same request repeated; the first one fills the cache
            wrk.run(kind.name() + "/cached-warmup", cached.baseUrl(), paths, 1, run.latencyConnections, run.warmup, 0,
                    false);
            cachedLatency.put(kind.name(), wrk.run(kind.name() + "/cached", cached.baseUrl(), paths, 1,
                    run.latencyConnections, run.duration, 0, true));
            cachedThroughput.put(kind.name(), wrk.run(kind.name() + "/cached-throughput", cached.baseUrl(),
                    paths, run.threads, run.connections, run.duration, 0, false));
            // the floor right after, so that both see the same neighbours on the shared machine
            pairedFloor.put(kind.name(), wrk.run(kind.name() + "/floor-throughput", cached.baseUrl(),
                    List.of(Report.FLOOR), run.threads, run.connections, run.duration, 0, false));
        }
        pressure.put("floors", Conditions.awaitQuiet(quietPressure, quietWait));
        for (String floor : List.of("/api/marketplace/_bench/static-page", "/assets/bench-floor.json")) {
            List<String> paths = List.of(floor);
            wrk.run(floor + "/warmup", cached.baseUrl(), paths, run.threads, run.connections, run.warmup, 0, false);
            floors.put(floor + " latency", wrk.run(floor + "/latency", cached.baseUrl(), paths, 1,
                    run.latencyConnections, run.duration, 0, false));
            floors.put(floor, wrk.run(floor + "/throughput", cached.baseUrl(), paths, run.threads, run.connections,
                    run.duration, 0, false));
        }
        return new Http(uncached, cachedLatency, cachedThroughput, floors, pairedFloor, pressure, loadBefore,
                otherProcesses, BulkLoader.seconds(httpStart));
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
        String commonWord = o.qCommon != null ? o.qCommon : Vocabulary.WORDS.get(0);
        String commonTag;
        String rareTag;
        String registryUrl;
        String smallRegistryUrl;
        List<QueryKind> relevance;
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            commonTag = first(st, "SELECT tag FROM marketplace_tag_counts ORDER BY agent_count DESC, tag LIMIT 1");
            rareTag = first(st, "SELECT tag FROM marketplace_tag_counts ORDER BY agent_count, tag LIMIT 1");
            registryUrl = first(st, "SELECT url FROM marketplace_registries ORDER BY record_count DESC, url LIMIT 1");
            smallRegistryUrl = first(st, "SELECT url FROM marketplace_registries ORDER BY record_count, url LIMIT 1");
            relevance = RelevanceKinds.of(c, commonWord, o.qRare);
        }
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
                QueryKind.tags("facets_q_common", "tag facets under q = a frequent word", true, "q", commonWord),
                // needles the trigram index cannot narrow: one or two code points (the gram index answers them)
                QueryKind.catalog("short_rare", "q = a rare pair of letters", true, "q", o.qShortRare),
                QueryKind.catalog("short_common", "q = one common letter", true, "q", o.qShortCommon),
                QueryKind.tags("facets_short_rare", "tag facets under q = a rare pair of letters", true, "q",
                        o.qShortRare),
                QueryKind.catalog("multi_word", "q = two words with a space", true, "q", o.qMultiWord),
                QueryKind.catalog("needle_tags_registry", "q, tags and registryUrl together", true, "q", midWord,
                        "tags", commonTag, "registryUrl", registryUrl),
                QueryKind.catalog("handle_offset_" + depth / 1000 + "k", "offset=" + depth + ", sort=handle", true,
                        "sort", "handle", "offset", Integer.toString(depth)));
        return selected(Stream.concat(all.stream(), relevance.stream()).toList());
    }

    private static String first(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The kinds --kinds asks for; name_first comes first whatever is asked: the floor page is its cached answer. */
    private List<QueryKind> selected(List<QueryKind> all) {
        if (o.kinds.equals("all")) {
            return all;
        }
        List<String> wanted = Arrays.asList(o.kinds.split(","));
        return all.stream().filter(k -> k.name().equals("name_first") || wanted.contains(k.name())
                || wanted.contains(k.name().replaceAll("_\\d+k$", ""))).toList();
    }

    /**
     * How many agents each kind matches, counted exactly (no time budget), for the report; none for the
     * sort=relevance kinds, whose matching is not a filter this count could repeat.
     */
    private Map<String, Long> matches(List<QueryKind> kinds) throws Exception {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection c = db.connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("SET statement_timeout = '300s'");
            }
            for (QueryKind k : kinds) {
                if (k.relevance()) {
                    // words, prefixes and corrections within a candidate budget: no substring count applies,
                    // the report gives the API's own total instead
                    Log.info("  %-16s matches — (sort=relevance: see the API's total)", k.name());
                    continue;
                }
                // every filter of the kind, with the API's semantics (q a substring, tags any of, one registry)
                Map<String, String> p = k.params();
                List<String> conditions = new ArrayList<>(List.of("true"));
                List<Object> values = new ArrayList<>();
                if (p.containsKey("q")) {
                    conditions.add("strpos(search_text, ?) > 0");
                    values.add(io.marketplaceindex.agent.AgentIndexFields.searchNeedle(p.get("q").trim()));
                }
                if (p.containsKey("tags") && k.endpoint() == QueryKind.Endpoint.CATALOG) {
                    conditions.add("tags && ?::text[]");
                    values.add(p.get("tags").split(","));
                }
                if (p.containsKey("registryUrl")) {
                    conditions.add("registry_id IN (SELECT id FROM marketplace_registries WHERE url = ?)");
                    values.add(p.get("registryUrl"));
                }
                String where = String.join(" AND ", conditions);
                long t0 = System.nanoTime();
                try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM marketplace_catalog_rows WHERE " + where)) {
                    for (int i = 0; i < values.size(); i++) {
                        ps.setObject(i + 1, values.get(i) instanceof String[] array
                                ? c.createArrayOf("text", array) : values.get(i));
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
