package io.marketplaceindex.bench.indexer;

import io.marketplaceindex.bench.support.JsonHttp;
import io.marketplaceindex.bench.support.MachineInfo;
import io.marketplaceindex.bench.support.Stats;
import io.marketplaceindex.bench.support.WrkFigures;
import io.marketplaceindex.testsupport.ServiceProcesses;
import io.marketplaceindex.testsupport.ServiceProcesses.ServiceProcess;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The indexer benchmark's measurements on a running {@link IndexerStack}: a rebuild (time from the
 * rebuild's own progress, requests counted by the simulator, CPU per component, the workers' commit
 * timers), the simulator's request-rate floor under wrk, and freshness.
 */
final class IndexerMeasure {

    /** bash's {@code time} of the wrk command (TIMEFORMAT): user and system CPU seconds. */
    private static final Pattern WRK_CPU = Pattern.compile("wrk-cpu ([0-9.]+) ([0-9.]+)");

    private final IndexerStack stack;
    private final IndexerOptions options;
    /** What the report lists under "Notes from the run". */
    final List<String> notes = new ArrayList<>();

    IndexerMeasure(IndexerStack stack, IndexerOptions options) {
        this.stack = stack;
        this.options = options;
    }

    Rebuild rebuild(String label, List<String> ids, List<String> simulatorNames, long agents) {
        IndexerBenchmark.say(label + ": " + ids.size() + " registries, " + agents + " agents ...");
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
        JsonNode started = stack.admin.post(stack.api.url() + "/api/marketplace/index-rebuild", body.toString()).ok();
        Instant requestedAt = instant(started.get("requestedAt"));
        String progressUrl = stack.api.url() + "/api/marketplace/index-rebuild/" + started.get("rebuildId").asString();
        JsonNode[] last = new JsonNode[1];
        // The times come from the progress itself (requestedAt, each registry's finishedAt), so the
        // poll only needs to notice the end: every second keeps the driver's and the api-service's
        // share of the 2 cores (one progress answer lists every registry) small.
        IndexerStack.await(label + " to finish", Duration.ofMinutes(60), () -> {
            last[0] = stack.admin.get(progressUrl).ok();
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
        cpuSeconds().forEach((component, after) -> cpu.put(component,
                after - cpuBefore.getOrDefault(component, 0.0)));
        long requests = simulatorRequests(simulatorNames) - requestsBefore;
        double rowsMetric = workerRowsWritten() - rowsMetricBefore;
        double commit = workerMetric("marketplace.sync.commit", "TOTAL_TIME") - commitBefore;
        double generationWait = workerMetric("marketplace.sync.generation.wait", "TOTAL_TIME") - waitBefore;
        Rebuild result = new Rebuild(label, stack.liveWorkers().size(), ids.size(), agents, seconds, requests, rows,
                rowsMetric, statuses, failedHandles, cpu, commit, generationWait);
        IndexerBenchmark.say(String.format(Locale.ROOT, "%s: %.1f s, %.0f agents/s, %.0f requests/s, %d rows written, "
                + "statuses %s, CPU s %s; commits %.1f s (counters + generation tail %.1f s)", label, seconds,
                result.agentsPerSecond(), result.requestsPerSecond(), rows, statuses, formatCpu(cpu), commit,
                generationWait));
        if (failedHandles > 0) {
            notes.add(label + ": " + failedHandles + " handles failed to fetch (see the registries' recent errors).");
        }
        return result;
    }

    /** wrk against one record URL of the simulator; bash's time reports wrk's own CPU. */
    FloorRun floor(String label, String url, int seconds) {
        IndexerBenchmark.say("wrk (" + label + ") on " + url + " ...");
        try {
            Path script = options.repo().resolve("benchmarks/target/floor.lua");
            Files.createDirectories(script.getParent());
            Files.writeString(script, WrkFigures.doneHook(), StandardCharsets.UTF_8);
            String command = "TIMEFORMAT='wrk-cpu %U %S'; time wrk -t2 -c" + options.wrkConnections() + " -d" + seconds
                    + "s --latency -s '" + script + "' '" + url + "'";
            double simBefore = MachineInfo.processCpuSeconds(stack.simulator.pid());
            Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(seconds + 60L, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("wrk failed: " + output);
            }
            double simCpu = MachineInfo.processCpuSeconds(stack.simulator.pid()) - simBefore;
            WrkFigures figures = WrkFigures.parse(output);
            Matcher cpu = WRK_CPU.matcher(output);
            if (!cpu.find()) {
                throw new IllegalStateException("no CPU time of wrk in: " + output);
            }
            FloorRun wrk = new FloorRun(label, figures.requestsPerSecond(), figures.requests(),
                    Double.parseDouble(cpu.group(1)) + Double.parseDouble(cpu.group(2)), simCpu, url, figures.summary());
            IndexerBenchmark.say(String.format(Locale.ROOT, "wrk (%s): %.0f requests/s; CPU s wrk %.1f, simulator %.1f",
                    label, wrk.requestsPerSecond(), wrk.wrkCpuSeconds(), wrk.simulatorCpuSeconds()));
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
    List<Double> freshness(String registryName, String registryId) {
        String handle = stack.simulator("GET", "/control/registries/" + registryName + "/agents").get("agents")
                .get(options.freshnessAgents() / 2).get("handle").asString();
        String tag = Long.toString(System.currentTimeMillis(), 36);
        List<Double> samples = new ArrayList<>();
        for (int run = 1; run <= options.freshnessRuns(); run++) {
            String newName = "Freshness probe " + tag + " run " + run;
            stack.simulator("POST", "/control/registries/" + registryName + "/update?handle=" + JsonHttp.query(handle)
                    + "&name=" + JsonHttp.query(newName));
            String search = stack.api.url() + "/api/marketplace?limit=1&q="
                    + JsonHttp.query(newName.toLowerCase(Locale.ROOT));
            long t0 = System.nanoTime();
            stack.admin.post(stack.api.url() + "/api/marketplace/index-rebuild",
                    "{\"registryIds\":[\"" + registryId + "\"]}").ok();
            long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
            // polled as an authenticated caller: every 10 ms is far past the anonymous rate limit
            while (stack.admin.get(search).ok().get("total").asLong() != 1) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the rename of run " + run + " never became visible");
                }
                ServiceProcesses.sleep(10);
            }
            samples.add((System.nanoTime() - t0) / 1_000_000.0);
        }
        IndexerBenchmark.say(String.format(Locale.ROOT, "freshness over %d runs: p50 %.0f ms, p95 %.0f ms", samples.size(),
                Stats.percentile(samples, 50), Stats.percentile(samples, 95)));
        return samples;
    }

    /** VACUUM (ANALYZE) of the tables a rebuild writes; returns its wall time in seconds. */
    double vacuum() {
        long t0 = System.nanoTime();
        try (Statement st = stack.pg.createStatement()) {
            st.execute("VACUUM (ANALYZE) marketplace_catalog_rows, marketplace_catalog_sources, marketplace_tag_counts,"
                    + " marketplace_registries");
        } catch (SQLException e) {
            throw new IllegalStateException("VACUUM failed: " + e.getMessage(), e);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        IndexerBenchmark.say(String.format(Locale.ROOT, "VACUUM (ANALYZE) after the full rebuild: %.1f s", seconds));
        return seconds;
    }

    /** Requests the simulator's registries received (control requests excluded). */
    private long simulatorRequests(List<String> names) {
        JsonNode perRegistry = stack.simulator("GET", "/control/stats").get("registries");
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
        for (ServiceProcess worker : stack.liveWorkers()) {
            double used = MachineInfo.processCpuSeconds(worker.pid());
            perWorker.put(worker.name(), used);
            workerCpu += used;
            workerJit += MachineInfo.jitCpuSeconds(worker.pid());
        }
        cpu.put("workers", workerCpu);
        cpu.put("workersJit", workerJit);
        cpu.put("simulator", MachineInfo.processCpuSeconds(stack.simulator.pid()));
        cpu.put("api", MachineInfo.processCpuSeconds(stack.api.pid()));
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
        if (stack.ownPostgresPid != null) {
            return MachineInfo.processTreeCpuSeconds(stack.ownPostgresPid);
        }
        double postgres = 0;
        try (Statement st = stack.pg.createStatement();
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
        for (ServiceProcess worker : stack.liveWorkers()) {
            JsonHttp.Answer answer = stack.plain.get(worker.url() + "/actuator/metrics/" + meter);
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
}
