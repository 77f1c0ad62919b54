package io.marketplaceindex.bench.indexer;

import io.marketplaceindex.bench.support.Cli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Pattern;

/** What {@code scripts/bench-indexer} measures, from its command line (see {@link Flags}). */
record IndexerOptions(int registries, int agents, int warmupRegistries, int scaleRegistries, int scaleAgents,
                      int latencyMs, int freshnessRuns, int freshnessAgents, int wrkSeconds, int wrkConnections,
                      int simulatorThreads, int cardMaxAgeSeconds, Path out, boolean keepData, boolean ownPostgres,
                      List<String> withoutIndexes, boolean withoutSearch, Path repo, String commandLine, boolean readLoad) {

    /** {@code --without-indexes secondary}: every index of the catalog rows and their key table but the primary keys. */
    static final String SECONDARY_INDEXES = "secondary";
    private static final Pattern INDEX_NAME = Pattern.compile("[a-z_][a-z0-9_]*");

    /** The options of a command line; null for {@code --help}. */
    static IndexerOptions parse(String[] argv) {
        return Cli.parse(new Flags(), argv, flags -> flags.options(argv)).orElse(null);
    }

    /** The command line (picocli): {@code scripts/bench-indexer --help} prints it. */
    @Command(name = "scripts/bench-indexer", sortOptions = false,
            description = "The indexer against the registry simulator, with real processes (see the script's header).")
    static final class Flags {
        @Option(names = "--registries", paramLabel = "N", defaultValue = "200",
                description = "registries of the full / no-op rebuild (default ${DEFAULT-VALUE})")
        int registries;
        @Option(names = "--agents", paramLabel = "N", defaultValue = "1000",
                description = "agents per registry (default ${DEFAULT-VALUE})")
        int agents;
        @Option(names = "--warmup-registries", paramLabel = "N", defaultValue = "150",
                description = "registries of --agents agents rebuilt by both workers before anything is measured, so that"
                        + " the full rebuild runs compiled code as the floor does (default ${DEFAULT-VALUE}; 0: measure"
                        + " from cold JVMs)")
        int warmupRegistries;
        @Option(names = "--scale-registries", paramLabel = "N", defaultValue = "768",
                description = "registries per run of the 1-vs-2-worker comparison (default ${DEFAULT-VALUE}; many"
                        + " registries, so that how their ids hash over the partitions of two workers barely matters)")
        int scaleRegistries;
        @Option(names = "--scale-agents", paramLabel = "N", defaultValue = "25",
                description = "agents per registry there (default ${DEFAULT-VALUE})")
        int scaleAgents;
        @Option(names = "--latency-ms", paramLabel = "N", defaultValue = "20",
                description = "simulated latency per response there (default ${DEFAULT-VALUE})")
        int latencyMs;
        @Option(names = "--freshness-runs", paramLabel = "N", defaultValue = "20",
                description = "mutation -> visible measurements (default ${DEFAULT-VALUE})")
        int freshnessRuns;
        @Option(names = "--freshness-agents", paramLabel = "N", defaultValue = "1000",
                description = "size of the freshness registry (default ${DEFAULT-VALUE})")
        int freshnessAgents;
        @Option(names = "--wrk-seconds", paramLabel = "N", defaultValue = "10",
                description = "duration of the wrk floor (default ${DEFAULT-VALUE})")
        int wrkSeconds;
        @Option(names = "--wrk-connections", paramLabel = "N", defaultValue = "64",
                description = "wrk connections (default ${DEFAULT-VALUE}; 2 threads)")
        int wrkConnections;
        @Option(names = "--simulator-threads", paramLabel = "N", defaultValue = "128",
                description = "simulator handler threads (default ${DEFAULT-VALUE})")
        int simulatorThreads;
        @Option(names = "--card-max-age-s", paramLabel = "N", defaultValue = "600",
                description = "Cache-Control max-age the simulator sends with every card (default ${DEFAULT-VALUE};"
                        + " 0 sends max-age=0, i.e. every card is revalidated on every rebuild)")
        int cardMaxAgeSeconds;
        @Option(names = "--out", paramLabel = "FILE",
                description = "report (default benchmarks/results/indexer-<date>.md, read-load-<date>.md with --read-load)")
        Path out;
        @Option(names = "--keep-data", description = "keep the benchmark database and topics afterwards")
        boolean keepData;
        @Option(names = "--postgres", paramLabel = "own|shared", defaultValue = "own",
                description = "own (default): the server scripts/bench-indexer starts for the run, every process of it"
                        + " counted; shared: MARKETPLACE_TEST_POSTGRES_URL's server, the benchmark database's backends"
                        + " counted")
        String postgres;
        @Option(names = "--without-indexes", paramLabel = "L", defaultValue = "",
                description = "what-if: drop these indexes of marketplace_catalog_rows or its key table marketplace_catalog_name_order"
                        + " before the first rebuild (comma-separated names, or 'secondary' for all but the primary"
                        + " keys), to measure what they"
                        + " cost a rebuild; the API's reads lose the plans that need them, and the report says so")
        String withoutIndexes;
        @Option(names = "--without-search",
                description = "what-if: drop the search structures of V19 and V20 before the first rebuild (the"
                        + " generated column search_vector with its index, the search_grams indexes), to measure what"
                        + " they cost a rebuild; the worker still writes search_grams, and the report says so")
        boolean withoutSearch;
        @Option(names = "--read-load",
                description = "instead of the rest: wrk on a mix of catalog URLs of the api-service, idle before the full"
                        + " rebuild, for the whole rebuild and idle after it (each idle run --wrk-seconds); writes"
                        + " benchmarks/results/read-load-<date>.md")
        boolean readLoad;
        @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".",
                description = "repository root (default: the current directory)")
        Path repo;
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;

        IndexerOptions options(String[] argv) {
            if (latencyMs < 0) {
                throw new IllegalArgumentException("--latency-ms must not be negative");
            }
            if (cardMaxAgeSeconds < 0) {
                throw new IllegalArgumentException("--card-max-age-s must not be negative");
            }
            Path root = repo.toAbsolutePath().normalize();
            Path report = out != null ? out.toAbsolutePath()
                    : root.resolve("benchmarks/results/" + (readLoad ? "read-load-" : "indexer-")
                            + LocalDate.now(ZoneOffset.UTC) + ".md");
            return new IndexerOptions(Cli.atLeast("--registries", registries, 1), Cli.atLeast("--agents", agents, 1),
                    Cli.atLeast("--warmup-registries", warmupRegistries, 0),
                    Cli.atLeast("--scale-registries", scaleRegistries, 1), Cli.atLeast("--scale-agents", scaleAgents, 1),
                    latencyMs, Cli.atLeast("--freshness-runs", freshnessRuns, 1),
                    Cli.atLeast("--freshness-agents", freshnessAgents, 1), Cli.atLeast("--wrk-seconds", wrkSeconds, 1),
                    Cli.atLeast("--wrk-connections", wrkConnections, 1),
                    Cli.atLeast("--simulator-threads", simulatorThreads, 1), cardMaxAgeSeconds, report, keepData,
                    ownPostgres(postgres), indexNames(withoutIndexes), withoutSearch, root, commandLine(argv), readLoad);
        }
    }

    /** The command line as the report names it: the script and its options, without --repo (a path of the machine). */
    private static String commandLine(String[] argv) {
        StringBuilder line = new StringBuilder("scripts/bench-indexer");
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].equals("--repo")) {
                i++;
            } else if (!argv[i].startsWith("--repo=")) {
                line.append(' ').append(argv[i]);
            }
        }
        if (System.getenv("BENCH_RUN_JAVA") != null) {
            // the script's --java names a directory of the machine it ran on; the report names the release
            line.append(" --java <JDK ").append(Runtime.version().feature()).append('>');
        }
        return line.toString();
    }

    private static List<String> indexNames(String value) {
        if (value.isBlank()) {
            return List.of();
        }
        List<String> names = List.of(value.split(","));
        for (String name : names) {
            if (!INDEX_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("--without-indexes: '" + name + "' is not an index name");
            }
        }
        if (names.contains(SECONDARY_INDEXES) && names.size() > 1) {
            throw new IllegalArgumentException("--without-indexes: '" + SECONDARY_INDEXES + "' stands alone");
        }
        return names;
    }

    private static boolean ownPostgres(String value) {
        return switch (value) {
            case "own" -> true;
            case "shared" -> false;
            default -> throw new IllegalArgumentException("--postgres needs 'own' or 'shared', not '" + value + "'");
        };
    }
}
