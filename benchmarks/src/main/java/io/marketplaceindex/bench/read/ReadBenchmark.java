package io.marketplaceindex.bench.read;

import io.marketplaceindex.bench.support.ApiInstance;
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
            Baseline.main(new String[]{o.baselineOnly, o.servers.pgUser, o.servers.pgPassword});
            return;
        }
        new Run(o).execute();
    }

    static final class Run {
        final ReadOptions o;
        final List<Long> sizes;
        final Path workDir;
        final Path out;
        final ReadDatabase db;
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
            this.db = new ReadDatabase(o.servers.pgUrl, o.db,
                    o.servers.pgUser, o.servers.pgPassword);
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
                    results.put(size, new ReadMeasure(this).measure(size));
                    report.write(results); // after every size: a later failure keeps what was measured
                }
            } finally {
                processes.close();
                if (!o.keepDb) {
                    db.drop();
                    Log.info("dropped database %s", db.name());
                }
                ApiInstance.deleteTopics(o.topicPrefix, o.servers.kafka);
            }
            Log.info("report: %s", out);
        }

        Path plansFile(String sizeTag) {
            String name = out.getFileName().toString().replaceFirst("\\.md$", "");
            return out.resolveSibling(name + "-plans-" + sizeTag + ".txt");
        }

    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%,.0f MB", bytes / 1e6);
    }
}
