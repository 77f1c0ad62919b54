package io.marketplaceindex.bench.read;

import io.marketplaceindex.bench.support.Stats;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes the results as Markdown (and the raw numbers as JSON beside it). */
final class Report {

    static final double UNCACHED_P95_GOAL_MS = 20;
    static final double CACHED_P95_GOAL_MS = 3;
    static final double THROUGHPUT_GOAL = 0.7;
    static final String FLOOR = "/api/marketplace/_bench/static-page";
    static final String STATIC_FILE = "/assets/bench-floor.json";

    private final ReadBenchmark.Run run;
    private final String machine;

    Report(ReadBenchmark.Run run) throws Exception {
        this.run = run;
        this.machine = machine();
    }

    private String machine() throws Exception {
        String pg;
        String settings;
        try (Connection c = java.sql.DriverManager.getConnection(run.db.hostUrl() + "postgres", run.db.user(),
                run.db.password()); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SHOW server_version")) {
                rs.next();
                pg = rs.getString(1);
            }
            List<String> s = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("""
                    SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem',
                    'effective_cache_size', 'random_page_cost', 'max_parallel_workers_per_gather', 'jit') ORDER BY name""")) {
                while (rs.next()) {
                    s.add(rs.getString(1) + "=" + rs.getString(2) + (rs.getString(3) == null ? "" : " " + rs.getString(3)));
                }
            }
            settings = String.join(", ", s);
        }
        String redis = Conditions.command("redis-cli", "INFO", "server").lines().filter(l -> l.startsWith("redis_version"))
                .findFirst().orElse("redis_version:n/a").substring("redis_version:".length()).trim();
        String wrk = Conditions.command("wrk", "-v").lines().findFirst().orElse("n/a");
        return "| | |\n| --- | --- |\n"
                + "| CPUs (nproc) | " + Runtime.getRuntime().availableProcessors() + " |\n"
                + "| CPU model | " + Conditions.cpuModel() + " |\n"
                + "| memory | " + Conditions.memory() + " |\n"
                + "| PostgreSQL | " + pg + (run.o.postgres.equals("own")
                        ? " (the run's own server with deploy/postgres-settings.sql: " : " (a shared server, its settings as found: ")
                + settings + ") |\n"
                + "| Java | " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + "; api-service JVM options `" + run.o.apiJvm + "` |\n"
                + "| Redis | " + redis + " |\n"
                + "| wrk | " + wrk.replaceAll("\\s+\\[.*", "") + " |\n";
    }

    void write(Map<Long, ReadBenchmark.SizeResult> results) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Read benchmark — ").append(LocalDate.now()).append("\n\n");
        md.append("Produced by `scripts/bench-read");
        run.o.shownArguments.forEach(arg -> md.append(' ').append(arg));
        md.append("`; started ").append(run.started).append(", written ").append(ZonedDateTime.now()).append(".\n");
        md.append("Every number below comes from this one run.\n\n");
        md.append("## Machine and conditions\n\n").append(machine).append('\n');
        md.append("Other workloads (builds, tests and services) may share the machine during a run "
                + "(their busiest processes at the start of each HTTP phase are listed per size). wrk runs on the "
                + "same 2 CPUs as the api-service and PostgreSQL, so every throughput figure includes the client's "
                + "own CPU; the floor was measured the same way.\n\n");
        md.append(method());
        for (ReadBenchmark.SizeResult r : results.values()) {
            size(md, r);
        }
        if (results.size() > 1) {
            summary(md, results);
        }
        Files.writeString(run.out, md.toString());
        Files.writeString(run.out.resolveSibling(run.out.getFileName().toString().replaceFirst("\\.md$", ".json")),
                ReadBenchmark.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
    }

    private String method() {
        return "## Method\n\n"
                + "* **Data**: generated agents (a registry record and an Agent Card each) merged by the real "
                + "`AgentNormalizer`, the record proof's verdict written in (`RecordProofs.verify`: unsigned) and the "
                + "extracted columns by `AgentIndexFields.of`, as the worker computes them; 1–6 tags "
                + "per agent from 200 tags drawn Zipf(1.1); descriptions draw words Zipf(1.0) from 20,000 (a few "
                + "common words, a long rare tail); names with accents, case variety, non-Latin scripts and exact "
                + "duplicates; 200 registries sized 1/rank^0.9. Schema by Flyway (the migrations of `common`); rows "
                + "loaded with `COPY ... FROM STDIN` on " + run.o.loadThreads + " connections with "
                + "the primary key, foreign keys and indexes dropped, then rebuilt from their own definitions, "
                + "`VACUUM (ANALYZE)`; `record_count`, `marketplace_tag_counts`, `marketplace_catalog_state` and "
                + "`sort=relevance`'s dictionary `marketplace_search_words` filled as the worker maintains them.\n"
                + "* **HTTP**: two real api-service processes (`api-service.jar`) on the benchmark database, each "
                + "with its own Redis key prefix and the anonymous rate limit off "
                + "(`MARKETPLACE_RATE_LIMIT_ANONYMOUS_PER_MINUTE=0`: wrk is one client, measured as an authenticated caller). "
                + "*Uncached*: the instance with `MARKETPLACE_CACHE_TTL=1ms`, wrk "
                + "pausing 2 ms between requests (`delay()`, outside the measured time), so every request misses "
                + "Redis and runs the full miss path (Redis GET, SQL, JSON rendering, Redis SET) with unchanged "
                + "SQL; the X-Cache header of every response is counted to prove it. *Cached*: the instance with "
                + "the normal TTL, the same request repeated (every response counted as a hit; hot answers come "
                + "from the replica's in-process tier in front of Redis, `MARKETPLACE_CACHE_LOCAL_MAX_SIZE`). Latency runs: wrk "
                + "-t1 -c" + run.latencyConnections + " for " + run.duration + " s after a " + run.warmup
                + " s warm-up; median and p95 from wrk's histogram (Lua `done()`). Throughput: wrk -t" + run.threads
                + " -c" + run.connections + " for " + run.duration + " s, each followed at once by the same run "
                + "against the floor. Before each kind the benchmark waits (up to " + run.o.quietMaxWait
                + " s) until the CPU pressure of the last 10 s is at most " + run.o.quietPressure
                + " % (Linux PSI), so that no measurement starts while the previous kind's throughput runs, or anything"
                + " else, still load the machine; the "
                + "pressure found is listed with the cache checks.\n"
                + "* **Floor**: the cached first page by name (its exact bytes) served by the same api-service "
                + "process from a precomputed byte array, through the same Tomcat, filter and security chain "
                + "(`GET " + FLOOR + "`, added only for the benchmark through `loader.path`); also, for reference, "
                + "the same bytes as a static resource (`GET " + STATIC_FILE + "`).\n"
                + "* **Raw SQL**: the api-service's own repository classes (`CatalogRepository`, "
                + "`RelevanceRepository` with its dictionary `SearchWords`, `TagFacetRepository`, `CountBudget`, "
                + "loaded from `api-service.jar`) called as the services call them on a cache miss, over a read-only "
                + "JDBC pool: page + total, the ranked page (`sort=relevance`, after its dictionary lookups) or "
                + "the facets per request, median "
                + "and p95 of " + run.sqlRuns + " runs, after " + run.o.sqlWarmupRounds + " untimed "
                + "rounds over all kinds and the same quiet-machine wait as the HTTP runs. Each statement is "
                + "recorded and replayed under `EXPLAIN (ANALYZE, BUFFERS)` in the plans file beside this report "
                + "(its `Execution Time` is the EXPLAIN column).\n"
                + "* **Baseline**: what the replaced product did per catalog build: `SELECT agent FROM "
                + "marketplace_catalog_rows ORDER BY sort_name, handle, registry_id`, every row parsed into a "
                + "Jackson tree and kept in memory, in a JVM of its own (`-Xmx" + run.o.baselineHeap
                + "`); heap measured after full GCs.\n"
                + "* Matches are exact counts without a time budget, for context (substring semantics; none for "
                + "`sort=relevance`, whose API total is given instead). Throughput and latency of a "
                + "kind are measured on its answer as the API gives it (`total` may be an estimate, as shown).\n\n";
    }

    private void size(StringBuilder md, ReadBenchmark.SizeResult r) {
        load(md, r);
        queryKinds(md, r);
        cacheChecks(md, r);
        floors(md, r);
        baseline(md, r);
        goals(md, r);
        conditions(md, r);
    }

    private void load(StringBuilder md, ReadBenchmark.SizeResult r) {
        md.append(String.format(Locale.ROOT, "## %,d rows\n\n", r.rows()));
        BulkLoader.Result l = r.load();
        if (l != null) {
            md.append("### Load\n\n");
            md.append("| rows | registries | tags | COPY (generate + stream) | COPY rows/s | index build | constraints + side tables | VACUUM ANALYZE | total | overall rows/s |\n");
            md.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            md.append(String.format(Locale.ROOT, "| %,d | %d | %d | %.1f s | %,.0f | %.1f s | %.1f s | %.1f s | %.1f s | %,.0f |\n\n",
                    l.rows(), l.registries(), l.distinctTags(), l.copySeconds(), l.copyRowsPerSecond(), l.indexSeconds(),
                    l.constraintSeconds(), l.vacuumSeconds(), l.totalSeconds(), l.totalRowsPerSecond()));
            md.append(String.format(Locale.ROOT, "%d COPY connections, %d index builds at a time, maintenance_work_mem=%s. "
                            + "Table %s, indexes %s, database %s.\n\n", l.threads(), l.indexThreads(),
                    l.maintenanceWorkMem(), ReadBenchmark.mb(l.tableBytes()), ReadBenchmark.mb(l.indexBytes()),
                    ReadBenchmark.mb(l.databaseBytes())));
            md.append("| index | build | size |\n| --- | ---: | ---: |\n");
            l.indexSizes().forEach((name, bytes) -> md.append(String.format(Locale.ROOT, "| %s | %s | %s |\n", name,
                    l.indexBuildSeconds().containsKey(name) ? String.format(Locale.ROOT, "%.1f s", l.indexBuildSeconds().get(name)) : "",
                    ReadBenchmark.mb(bytes))));
            md.append('\n');
        } else {
            md.append("Database reused from an earlier load (`--reuse-db`): no load figures.\n\n");
        }
    }

    private void queryKinds(StringBuilder md, ReadBenchmark.SizeResult r) {
        md.append("### Query kinds (milliseconds)\n\n");
        md.append("| kind | request | matches | API total | EXPLAIN | SQL p50 | SQL p95 | uncached p50 | uncached p95 | cached p50 | cached p95 | cached req/s | floor req/s | ÷ floor | uncached p50 ÷ SQL p50 | uncached p95 ÷ SQL p95 |\n");
        md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Map.Entry<String, Wrk.Run> e : r.uncached().entrySet()) {
            String kind = e.getKey();
            Wrk.Run u = e.getValue();
            Wrk.Run c = r.cachedLatency().get(kind);
            Wrk.Run t = r.cachedThroughput().get(kind);
            Wrk.Run floor = r.pairedFloor().get(kind);
            SqlProbe.Timing s = r.sql().get(kind);
            ReadBenchmark.ApiAnswer a = r.answers().get(kind);
            double sqlP95 = Stats.percentile(s.totalMillis(), 95);
            md.append(String.format(Locale.ROOT, "| %s%s | `%s` | %s | %s | %.2f | %.2f | %.2f | %s | %s | %s | %s | %,.0f | %,.0f | %.2f | %.1f× | %.1f× |\n",
                    kind, isExtra(r, kind) ? " *" : "", display(r, kind), matches(r, kind), apiTotal(r, kind, a),
                    s.explainMillis(), Stats.median(s.totalMillis()), sqlP95,
                    goal(u.p50(), Double.MAX_VALUE), goal(u.p95(), UNCACHED_P95_GOAL_MS),
                    goal(c.p50(), Double.MAX_VALUE), goal(c.p95(), CACHED_P95_GOAL_MS),
                    t.requestsPerSecond(), floor.requestsPerSecond(), t.requestsPerSecond() / floor.requestsPerSecond(),
                    u.p50() / Stats.median(s.totalMillis()), u.p95() / sqlP95));
        }
        md.append("\n\\* not one of the kinds the goals name: measured to show where the limits are. Matches: \"—\" for "
                + "`sort=relevance`, which matches words (prefixes, corrections) within its candidate budget, not the "
                + "substring the count applies: its API total is the service's own count, \"+\" when more matched than "
                + "the budget ranks (`meta.totalExact=false`). **Bold**: misses its goal "
                + "(uncached p95 ≤ " + (int) UNCACHED_P95_GOAL_MS + " ms, cached p95 ≤ " + (int) CACHED_P95_GOAL_MS
                + " ms). SQL = the repository calls of one cache miss (page + total, the dictionary lookups and "
                + "ranked page of `sort=relevance`, or the facet query). "
                + "EXPLAIN: the server's execution time of those statements (sum of EXPLAIN ANALYZE "
                + "`Execution Time`, one run); SQL p50/p95: the same calls timed in the client (JDBC, pool, row "
                + "mapping), " + run.sqlRuns + " runs. Floor req/s: the precomputed page, measured right after the "
                + "kind's cached throughput run.\n\n");
    }

    /** The exact substring count; none for the sort=relevance kinds (see the table's note). */
    private static String matches(ReadBenchmark.SizeResult r, String kind) {
        Long count = r.matches().get(kind);
        return count == null ? "—" : String.format(Locale.ROOT, "%,d", count);
    }

    /** An inexact relevance total is the candidate budget (more matched), any other an estimate. */
    private static String apiTotal(ReadBenchmark.SizeResult r, String kind, ReadBenchmark.ApiAnswer a) {
        if (a.total() < 0) {
            return "";
        }
        // the kinds without a substring count are the sort=relevance ones (ReadMeasure.matches)
        boolean relevance = !r.matches().containsKey(kind);
        return String.format(Locale.ROOT, "%,d%s", a.total(), a.totalExact() ? "" : relevance ? "+ (budget)" : " (estimate)");
    }

    private void cacheChecks(StringBuilder md, ReadBenchmark.SizeResult r) {
        md.append("Cache checks (X-Cache of every measured response; requests in the latency runs):\n\n");
        md.append("| kind | CPU pressure before | uncached: miss / all | cached: hit / all | errors | SQL page p50 | SQL other p50 | answer bytes |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (String kind : r.uncached().keySet()) {
            Wrk.Run u = r.uncached().get(kind);
            Wrk.Run c = r.cachedLatency().get(kind);
            Wrk.Run t = r.cachedThroughput().get(kind);
            SqlProbe.Timing s = r.sql().get(kind);
            md.append(String.format(Locale.ROOT, "| %s | %s | %,d / %,d | %,d / %,d | %d | %.2f | %.2f | %,d |\n", kind,
                    r.pressure().getOrDefault(kind, ""), u.misses(), u.requests(), c.hits(), c.requests(), u.errors() + c.errors() + t.errors(),
                    Stats.median(s.pageMillis()), Stats.median(s.otherMillis()), r.answers().get(kind).bytes()));
        }
        md.append('\n');
    }

    private void floors(StringBuilder md, ReadBenchmark.SizeResult r) {
        md.append("### Floors (measured once more at the end; CPU pressure before: " + r.pressure().getOrDefault("floors", "")
                + ")\n\n| endpoint | p50 | p95 | req/s at -c").append(run.connections)
                .append(" | bytes per answer |\n| --- | ---: | ---: | ---: | ---: |\n");
        for (String f : List.of(FLOOR, STATIC_FILE)) {
            Wrk.Run lat = r.floors().get(f + " latency");
            Wrk.Run thr = r.floors().get(f);
            md.append(String.format(Locale.ROOT, "| `%s` | %.2f | %.2f | %,.0f | %,.0f |\n", f, lat.p50(), lat.p95(),
                    thr.requestsPerSecond(), thr.bytesPerRequest()));
        }
        md.append('\n');
    }

    private void baseline(StringBuilder md, ReadBenchmark.SizeResult r) {
        JsonNode b = r.baseline();
        md.append("### Baseline: the whole catalog into memory\n\n");
        if (b == null) {
            md.append("Not run (`--baseline=off`).\n\n");
        } else if (b.has("failed")) {
            md.append("Failed: `").append(b.get("failed").toString()).append("`\n\n");
        } else {
            Wrk.Run first = r.uncached().get("name_first");
            Wrk.Run firstCached = r.cachedLatency().get("name_first");
            double seconds = b.get("seconds").asDouble();
            md.append("| rows | time | heap of the parsed catalog | per agent | JSON text | ÷ API uncached p95 (first page) | ÷ API cached p95 |\n");
            md.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            md.append(String.format(Locale.ROOT, "| %,d | %.1f s | %s%s | %,.0f B | %s | %,.0f× | %,.0f× |\n\n",
                    b.get("rows").asLong(), seconds, ReadBenchmark.mb(b.get("wholeCatalogHeapBytes").asLong()),
                    b.get("extrapolated").asBoolean() ? String.format(Locale.ROOT, " (extrapolated: %,d rows kept within -Xmx, all %,d parsed)",
                            b.get("retainedRows").asLong(), b.get("rows").asLong()) : "",
                    b.get("bytesPerAgent").asDouble(), ReadBenchmark.mb(b.get("jsonChars").asLong()),
                    seconds * 1000 / first.p95(), seconds * 1000 / firstCached.p95()));
        }
    }

    private void goals(StringBuilder md, ReadBenchmark.SizeResult r) {
        md.append("### Goals at this size\n\n");
        List<String> uncachedMiss = new ArrayList<>();
        List<String> cachedMiss = new ArrayList<>();
        List<String> throughputMiss = new ArrayList<>();
        int goalKinds = 0;
        for (String kind : r.uncached().keySet()) {
            if (isExtra(r, kind)) {
                continue;
            }
            goalKinds++;
            if (r.uncached().get(kind).p95() > UNCACHED_P95_GOAL_MS) {
                uncachedMiss.add(String.format(Locale.ROOT, "%s (%.1f ms)", kind, r.uncached().get(kind).p95()));
            }
            if (r.cachedLatency().get(kind).p95() > CACHED_P95_GOAL_MS) {
                cachedMiss.add(String.format(Locale.ROOT, "%s (%.2f ms)", kind, r.cachedLatency().get(kind).p95()));
            }
            double ratio = r.cachedThroughput().get(kind).requestsPerSecond() / r.pairedFloor().get(kind).requestsPerSecond();
            if (ratio < THROUGHPUT_GOAL) {
                throughputMiss.add(String.format(Locale.ROOT, "%s (%.2f)", kind, ratio));
            }
        }
        md.append(String.format(Locale.ROOT, "* uncached p95 ≤ %d ms: %s\n", (int) UNCACHED_P95_GOAL_MS,
                verdict(goalKinds, uncachedMiss)));
        md.append(String.format(Locale.ROOT, "* cached p95 ≤ %d ms: %s\n", (int) CACHED_P95_GOAL_MS, verdict(goalKinds, cachedMiss)));
        md.append(String.format(Locale.ROOT, "* cached throughput ≥ %.1f × floor (each kind against the floor measured right after it): %s\n\n",
                THROUGHPUT_GOAL, verdict(goalKinds, throughputMiss)));
    }

    private void conditions(StringBuilder md, ReadBenchmark.SizeResult r) {
        md.append("### Conditions during this size\n\n");
        md.append(String.format(Locale.ROOT, "Load average (1/5/15 min) before the HTTP phase %s, after %s; HTTP phase "
                        + "%.0f s. api-service RSS at the end: cached instance %s, uncached instance %s. Busiest other "
                        + "processes when the HTTP phase started:\n\n```\n%s\n```\n\n", r.loadBefore(), r.loadAfter(),
                r.httpPhaseSeconds(), ReadBenchmark.mb(r.cachedApiRssBytes()), ReadBenchmark.mb(r.uncachedApiRssBytes()),
                r.otherProcesses()));
    }

    private void summary(StringBuilder md, Map<Long, ReadBenchmark.SizeResult> results) {
        md.append("## Across sizes (p95, ms)\n\n| kind |");
        results.keySet().forEach(s -> md.append(String.format(Locale.ROOT, " SQL %,d | uncached %,d | cached %,d |", s, s, s)));
        md.append("\n| --- |");
        results.keySet().forEach(s -> md.append(" ---: | ---: | ---: |"));
        md.append('\n');
        ReadBenchmark.SizeResult first = results.values().iterator().next();
        for (String kind : first.uncached().keySet()) {
            md.append("| ").append(kind).append(" |");
            for (ReadBenchmark.SizeResult r : results.values()) {
                if (!r.uncached().containsKey(kind)) {
                    md.append(" | | |");
                    continue;
                }
                md.append(String.format(Locale.ROOT, " %.2f | %.2f | %.2f |", Stats.percentile(r.sql().get(kind).totalMillis(), 95),
                        r.uncached().get(kind).p95(), r.cachedLatency().get(kind).p95()));
            }
            md.append('\n');
        }
        md.append('\n');
    }

    private static String verdict(int kinds, List<String> misses) {
        return misses.isEmpty() ? "met by all " + kinds + " kinds"
                : "**missed** by " + misses.size() + " of " + kinds + ": " + String.join(", ", misses);
    }

    private static String goal(double value, double goal) {
        String s = String.format(Locale.ROOT, "%.2f", value);
        return value > goal ? "**" + s + "**" : s;
    }

    private static boolean isExtra(ReadBenchmark.SizeResult r, String kind) {
        return r.extras().contains(kind);
    }

    private static String display(ReadBenchmark.SizeResult r, String kind) {
        return kind.startsWith("cursor") ? "?sort=name&cursor=…" : r.displays().getOrDefault(kind, kind);
    }
}
