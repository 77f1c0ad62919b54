package io.marketplaceindex.bench.page;

import io.marketplaceindex.bench.support.Cli;
import io.marketplaceindex.bench.support.ServiceConnections;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.LocalDate;
import java.util.List;

/**
 * The command line of the page benchmark (picocli). The script passes the connection options from the
 * environment; the report names every other argument.
 */
@Command(name = "scripts/bench-page", sortOptions = false,
        description = "First render of the marketplace page in headless Chromium, cold and warm (see the script's header).")
final class PageOptions {

    @Option(names = "--db", paramLabel = "NAME", defaultValue = "mi_bench_read",
            description = "the database the api-service serves, as scripts/bench-read --postgres=shared --keep-db left it (default ${DEFAULT-VALUE})")
    String db;
    @Option(names = "--runs", paramLabel = "N", defaultValue = "10",
            description = "measured page loads of each mode, cold and warm taking turns (default ${DEFAULT-VALUE})")
    int runs;
    @Option(names = "--warmup-runs", paramLabel = "N", defaultValue = "3",
            description = "unmeasured page loads of each mode first: the api-service's JIT, the warm cache (default ${DEFAULT-VALUE})")
    int warmupRuns;
    @Option(names = "--path", paramLabel = "PATH", defaultValue = "/marketplace",
            description = "the page, with its query string if any (default ${DEFAULT-VALUE})")
    String path;
    @Option(names = "--timeout", paramLabel = "S", defaultValue = "60",
            description = "seconds one page load may take before the run fails (default ${DEFAULT-VALUE})")
    int timeout;
    @Option(names = "--goal-ms", paramLabel = "MS", defaultValue = "1000",
            description = "the first-render goal the report compares the medians with (default ${DEFAULT-VALUE})")
    int goalMs;
    @Option(names = "--chromium", paramLabel = "FILE", defaultValue = "/usr/bin/chromium",
            description = "the browser (Playwright downloads none) (default ${DEFAULT-VALUE})")
    String chromium;
    @Option(names = "--api-jvm", paramLabel = "OPTS", defaultValue = "-Xms512m -Xmx1g",
            description = "JVM options of the api-service processes (default ${DEFAULT-VALUE})")
    String apiJvm;
    @Option(names = "--port", paramLabel = "N", defaultValue = "18490",
            description = "port of the warm api-service; the cold one uses N+1 (default ${DEFAULT-VALUE})")
    int port;
    @Option(names = "--out", paramLabel = "FILE", description = "report (default benchmarks/results/page-<date>.md)")
    String out;
    @Mixin
    ServiceConnections servers;
    @Option(names = "--work-dir", paramLabel = "DIR", defaultValue = "benchmarks/target/bench-page",
            description = "api-service logs (default ${DEFAULT-VALUE})")
    String workDir;
    @Option(names = "--api-jar", paramLabel = "FILE", defaultValue = "api-service/target/api-service.jar",
            description = "(default ${DEFAULT-VALUE})")
    String apiJar;
    @Option(names = "--cache-key-prefix", paramLabel = "P", defaultValue = "mi-bench-page:",
            description = "Redis keys of the run, removed by the script at the end (default ${DEFAULT-VALUE})")
    String cacheKeyPrefix;
    @Option(names = "--topic-prefix", paramLabel = "P", defaultValue = "mi-bench-page.",
            description = "the api-service's Kafka topics, deleted at the end (default ${DEFAULT-VALUE})")
    String topicPrefix;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    boolean help;

    /** The arguments as the report names them: without the connection options (the script's environment). */
    List<String> shownArguments = List.of();

    /** Checks what picocli's types cannot, and keeps the arguments for the report. */
    PageOptions validated(String[] argv) {
        shownArguments = ServiceConnections.shown(argv);
        Cli.atLeast("--runs", runs, 1);
        Cli.atLeast("--warmup-runs", warmupRuns, 1); // the first warm load fills the cache
        Cli.atLeast("--timeout", timeout, 1);
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("--path must start with '/', not '" + path + "'");
        }
        if (out == null) {
            out = "benchmarks/results/page-" + LocalDate.now() + ".md";
        }
        return this;
    }

    /** The JDBC URL of the database, as the read benchmark names it: the server's URL (ending in '/') and the name. */
    String jdbcUrl() {
        return servers.pgUrl + db;
    }
}
