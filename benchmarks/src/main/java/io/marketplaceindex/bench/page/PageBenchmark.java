package io.marketplaceindex.bench.page;

import io.marketplaceindex.bench.support.ApiInstance;
import io.marketplaceindex.bench.support.Cli;
import io.marketplaceindex.bench.support.Log;
import io.marketplaceindex.bench.support.MachineInfo;
import io.marketplaceindex.testsupport.ServiceProcesses;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The page benchmark behind {@code scripts/bench-page}: two real api-service processes on a database the
 * read benchmark loaded (one whose cached answers expire after 1 ms, one with the normal cache), and the
 * marketplace page opened in headless Chromium against each in turn, a fresh browser context every time.
 * Measures the time from navigation start to the first agents shown, and what the page fetched.
 */
public final class PageBenchmark {

    /** The two ways the API answers the page: every answer from PostgreSQL, or from the cache. */
    enum Mode {
        COLD("cold", "1ms"), WARM("warm", "PT30M");

        final String label;
        final String cacheTtl;

        Mode(String label, String cacheTtl) {
            this.label = label;
            this.cacheTtl = cacheTtl;
        }
    }

    /** Everything one run measured, for the report. */
    record Result(PageOptions options, Map<String, String> machine, String started, String browserVersion,
                  String url, Map<Mode, List<PageBrowser.Sample>> samples) {
    }

    private PageBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        // the libraries' own logging (Kafka admin) only when something is wrong
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        PageOptions o = Cli.parseOrExit(new PageOptions(), args, options -> options.validated(args)).orElse(null);
        if (o != null) {
            run(o);
        }
    }

    private static void run(PageOptions o) throws Exception {
        Map<String, String> machine = MachineInfo.collect();
        machine.put("postgres", postgresVersion(o));
        String started = ZonedDateTime.now().toString();
        Path workDir = Path.of(o.workDir).toAbsolutePath();
        ServiceProcesses processes = new ServiceProcesses(workDir);
        Thread stopOnInterrupt = new Thread(processes::close);
        Runtime.getRuntime().addShutdownHook(stopOnInterrupt);
        String keyPrefix = o.cacheKeyPrefix + Long.toString(System.currentTimeMillis(), 36) + ":";
        List<String> jvm = Arrays.asList(o.apiJvm.trim().split("\\s+"));
        Path apiJar = Path.of(o.apiJar).toAbsolutePath();
        ApiInstance.Settings settings = new ApiInstance.Settings(o.jdbcUrl(), o.servers.pgUser, o.servers.pgPassword, o.servers.redis, o.servers.kafka,
                o.topicPrefix, null, null);
        Result result;
        // both start at once: on a busy machine one start has taken minutes
        CompletableFuture<ApiInstance> coldStart = CompletableFuture.supplyAsync(() -> ApiInstance.start(processes,
                "page-cold", apiJar, null, jvm, o.port + 1, settings, keyPrefix + "c:", Mode.COLD.cacheTtl));
        try (ApiInstance warm = ApiInstance.start(processes, "page-warm", apiJar, null, jvm, o.port, settings,
                keyPrefix + "w:", Mode.WARM.cacheTtl);
             ApiInstance cold = coldStart.join();
             PageBrowser browser = PageBrowser.launch(o.chromium)) {
            Map<Mode, ApiInstance> apis = Map.of(Mode.WARM, warm, Mode.COLD, cold);
            Map<Mode, List<PageBrowser.Sample>> samples = measure(o, browser, apis);
            machine.put("loadAfter", MachineInfo.loadAverage());
            machine.put("pressureAfter", MachineInfo.cpuPressure());
            result = new Result(o, machine, started, browser.version(), o.path, samples);
        } finally {
            processes.close();
            Runtime.getRuntime().removeShutdownHook(stopOnInterrupt);
            ApiInstance.deleteTopics(o.topicPrefix, o.servers.kafka);
        }
        Path out = Path.of(o.out).toAbsolutePath();
        Files.createDirectories(out.getParent());
        Files.writeString(out, new PageReport(result).markdown());
        Log.info("report: %s", out);
    }

    /** Warm-up loads of both modes, then the measured ones, cold and warm taking turns (the machine's load shifts). */
    private static Map<Mode, List<PageBrowser.Sample>> measure(PageOptions o, PageBrowser browser,
                                                               Map<Mode, ApiInstance> apis) {
        Duration timeout = Duration.ofSeconds(o.timeout);
        for (int i = 0; i < o.warmupRuns; i++) {
            for (Mode mode : Mode.values()) {
                PageBrowser.Sample s = browser.load(apis.get(mode).baseUrl() + o.path, timeout);
                Log.info("warm-up %s %d: first agents after %.0f ms (%s)", mode.label, i + 1, s.firstRenderMs(),
                        s.status());
            }
        }
        Map<Mode, List<PageBrowser.Sample>> samples = new java.util.EnumMap<>(Mode.class);
        for (int i = 0; i < o.runs; i++) {
            for (Mode mode : Mode.values()) {
                PageBrowser.Sample s = browser.load(apis.get(mode).baseUrl() + o.path, timeout);
                samples.computeIfAbsent(mode, m -> new ArrayList<>()).add(s);
                Log.info("%s %d/%d: first agents after %.0f ms, %d requests, X-Cache %s%s", mode.label, i + 1, o.runs,
                        s.firstRenderMs(), s.requests().size(), s.xCache(),
                        s.problems().isEmpty() ? "" : ", problems: " + s.problems());
            }
        }
        return samples;
    }

    private static String postgresVersion(PageOptions o) {
        try (Connection c = DriverManager.getConnection(o.jdbcUrl(), o.servers.pgUser, o.servers.pgPassword);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot reach " + o.jdbcUrl() + ": " + e.getMessage(), e);
        }
    }
}
