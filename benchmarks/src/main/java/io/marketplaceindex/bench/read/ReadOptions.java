package io.marketplaceindex.bench.read;

import io.marketplaceindex.bench.support.Cli;
import io.marketplaceindex.bench.support.ServiceConnections;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.LocalDate;
import java.util.List;

/**
 * The command line of the read benchmark (picocli; {@code scripts/bench-read --help} prints the script's
 * own text, {@code --help} here this one). The script passes the connection options from the environment.
 */
@Command(name = "scripts/bench-read", sortOptions = false,
        description = "The catalog API at multi-million-row scale (see the script's header).")
final class ReadOptions {

    @Option(names = "--sizes", paramLabel = "N[,N...]", defaultValue = "1000000,5000000",
            description = "catalog sizes, loaded one after the other (default ${DEFAULT-VALUE})")
    String sizes;
    @Option(names = "--registries", paramLabel = "N", defaultValue = "200",
            description = "registries the rows are spread over (default ${DEFAULT-VALUE})")
    int registries;
    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "generator seed: the same seed gives the same catalog (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--duration", paramLabel = "S", defaultValue = "10",
            description = "seconds of each measured wrk run (default ${DEFAULT-VALUE})")
    int duration;
    @Option(names = "--warmup", paramLabel = "S", defaultValue = "3",
            description = "seconds of warm-up before each measured run (default ${DEFAULT-VALUE})")
    int warmup;
    @Option(names = "--global-warmup", paramLabel = "S", defaultValue = "30",
            description = "seconds of mixed traffic on both processes before the first measured run (default ${DEFAULT-VALUE})")
    int globalWarmup;
    @Option(names = "--connections", paramLabel = "N", defaultValue = "64",
            description = "wrk connections of the throughput runs (default ${DEFAULT-VALUE})")
    int connections;
    @Option(names = "--threads", paramLabel = "N", defaultValue = "2",
            description = "wrk threads of the throughput runs (default ${DEFAULT-VALUE})")
    int threads;
    @Option(names = "--latency-connections", paramLabel = "N", defaultValue = "1",
            description = "wrk connections of the latency runs, one thread (default ${DEFAULT-VALUE})")
    int latencyConnections;
    @Option(names = "--sql-runs", paramLabel = "N", defaultValue = "20",
            description = "timed runs of each kind's SQL (default ${DEFAULT-VALUE})")
    int sqlRuns;
    @Option(names = "--sql-warmup-rounds", paramLabel = "N", defaultValue = "3",
            description = "untimed rounds over all kinds before the SQL is timed (default ${DEFAULT-VALUE})")
    int sqlWarmupRounds;
    @Option(names = "--kinds", paramLabel = "a,b", defaultValue = "all",
            description = "only these kinds (name_first is always measured: it is the floor's page) (default ${DEFAULT-VALUE})")
    String kinds;
    @Option(names = "--depth", paramLabel = "N", defaultValue = "100000",
            description = "depth of the offset and cursor kinds (default ${DEFAULT-VALUE})")
    int depth;
    @Option(names = "--load-threads", paramLabel = "N", defaultValue = "2",
            description = "COPY connections (default ${DEFAULT-VALUE})")
    int loadThreads;
    @Option(names = "--index-threads", paramLabel = "N", defaultValue = "2",
            description = "index builds at a time (default ${DEFAULT-VALUE})")
    int indexThreads;
    @Option(names = "--maintenance-work-mem", paramLabel = "X", defaultValue = "2GB",
            description = "for the index builds, a session setting (default ${DEFAULT-VALUE})")
    String maintenanceWorkMem;
    @Option(names = "--baseline", paramLabel = "on|off", defaultValue = "on",
            description = "run the whole-catalog baseline (default ${DEFAULT-VALUE})")
    String baseline;
    @Option(names = "--baseline-heap", paramLabel = "X", defaultValue = "8g",
            description = "its -Xmx; past 70 %% of it, memory is extrapolated from the rows kept (default ${DEFAULT-VALUE})")
    String baselineHeap;
    @Option(names = "--quiet-pressure", paramLabel = "P", defaultValue = "10",
            description = "before each kind, wait until the CPU pressure of the last 10 s (PSI) is at most P %%;"
                    + " 0: never wait (default ${DEFAULT-VALUE})")
    int quietPressure;
    @Option(names = "--quiet-max-wait", paramLabel = "S", defaultValue = "300",
            description = "wait at most this long, then measure anyway; the report says so (default ${DEFAULT-VALUE})")
    int quietMaxWait;
    @Option(names = "--api-jvm", paramLabel = "OPTS", defaultValue = "-Xms512m -Xmx1g",
            description = "JVM options of the api-service processes (default ${DEFAULT-VALUE})")
    String apiJvm;
    @Option(names = "--port", paramLabel = "N", defaultValue = "18480",
            description = "port of the cached api-service; the uncached one uses N+1 (default ${DEFAULT-VALUE})")
    int port;
    @Option(names = "--exact-count-timeout", paramLabel = "D",
            description = "for the SQL probe, as MARKETPLACE_CATALOG_EXACT_COUNT_TIMEOUT (default: the service's)")
    String exactCountTimeout;
    @Option(names = "--postgres", paramLabel = "own|shared", defaultValue = "shared",
            description = "whose server --pg-url names, for the report: the script's own, with the project's settings,"
                    + " or a shared one, its settings as found (default ${DEFAULT-VALUE})")
    String postgres;
    @Option(names = "--db", paramLabel = "NAME", defaultValue = "mi_bench_read",
            description = "benchmark database, dropped and created (default ${DEFAULT-VALUE})")
    String db;
    @Option(names = "--keep-db", description = "keep the database at the end (it is dropped otherwise)")
    boolean keepDb;
    @Option(names = "--reuse-db",
            description = "skip the load when the database already holds the size (with --keep-db before)")
    boolean reuseDb;
    @Option(names = "--out", paramLabel = "FILE",
            description = "report (default benchmarks/results/read-<date>.md); beside it the plans and the raw JSON")
    String out;
    @Mixin
    ServiceConnections servers;
    @Option(names = "--work-dir", paramLabel = "DIR", defaultValue = "benchmarks/target/bench-run",
            description = "wrk scripts, static pages, api-service logs (default ${DEFAULT-VALUE})")
    String workDir;
    @Option(names = "--api-jar", paramLabel = "FILE", defaultValue = "api-service/target/api-service.jar",
            description = "(default ${DEFAULT-VALUE})")
    String apiJar;
    @Option(names = "--floor-jar", paramLabel = "FILE", defaultValue = "benchmarks/target/benchmarks-floor.jar",
            description = "the static-page floor added to the api-service (default ${DEFAULT-VALUE})")
    String floorJar;
    @Option(names = "--cache-key-prefix", paramLabel = "P", defaultValue = "mi-bench-read:",
            description = "(default ${DEFAULT-VALUE})")
    String cacheKeyPrefix;
    @Option(names = "--topic-prefix", paramLabel = "P", defaultValue = "mi-bench-read.",
            description = "(default ${DEFAULT-VALUE})")
    String topicPrefix;
    @Option(names = "--cache-ttl", paramLabel = "D", defaultValue = "PT30M",
            description = "cache TTL of the cached instance (default ${DEFAULT-VALUE})")
    String cacheTtl;
    @Option(names = "--q-common", paramLabel = "WORD",
            description = "the common search word, also of relevance_common and relevance_typo (default: the vocabulary's first)")
    String qCommon;
    @Option(names = "--q-mid", paramLabel = "WORD", description = "the middling search word (default: the 100th)")
    String qMid;
    @Option(names = "--q-rare", paramLabel = "WORD", description = "the rare search word, also of relevance_rare"
            + " (default: the 15,000th; for relevance_rare the first from it on that begins no other word of the catalog)")
    String qRare;
    @Option(names = "--q-short-rare", paramLabel = "XY", defaultValue = "qj",
            description = "the rare two-letter needle of short_rare (default ${DEFAULT-VALUE})")
    String qShortRare;
    @Option(names = "--q-short-common", paramLabel = "X", defaultValue = "e",
            description = "the one-letter needle of short_common (default ${DEFAULT-VALUE})")
    String qShortCommon;
    @Option(names = "--q-multi-word", paramLabel = "TEXT", defaultValue = "handles data",
            description = "the two-word needle of multi_word (default '${DEFAULT-VALUE}')")
    String qMultiWord;
    @Option(names = "--generate-only", paramLabel = "N", arity = "0..1", fallbackValue = "100000",
            description = "only the generator's throughput, one thread, N rows (default 100000)")
    Long generateOnly;
    @Option(names = "--baseline-only", paramLabel = "JDBC-URL",
            description = "only the whole-catalog baseline, on this database")
    String baselineOnly;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    boolean help;

    /** The arguments as the report names them: without the connection options (the script's environment). */
    List<String> shownArguments = List.of();

    /** Checks what picocli's types cannot, and keeps the arguments for the report. */
    ReadOptions validated(String[] argv) {
        shownArguments = ServiceConnections.shown(argv);
        for (String[] n : new String[][]{{"--duration", "" + duration}, {"--connections", "" + connections},
                {"--threads", "" + threads}, {"--latency-connections", "" + latencyConnections},
                {"--sql-runs", "" + sqlRuns}, {"--load-threads", "" + loadThreads},
                {"--index-threads", "" + indexThreads}, {"--registries", "" + registries}}) {
            Cli.atLeast(n[0], Integer.parseInt(n[1]), 1);
        }
        if (!baseline.equals("on") && !baseline.equals("off")) {
            throw new IllegalArgumentException("--baseline needs 'on' or 'off', not '" + baseline + "'");
        }
        if (!postgres.equals("own") && !postgres.equals("shared")) {
            throw new IllegalArgumentException("--postgres needs 'own' or 'shared', not '" + postgres + "'");
        }
        if (out == null) {
            out = "benchmarks/results/read-" + LocalDate.now() + ".md";
        }
        return this;
    }
}
