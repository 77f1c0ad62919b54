package io.marketplaceindex.bench.support;

import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The servers a benchmark that runs the api-service talks to (a picocli mixin). The scripts pass these
 * from their environment, so reports leave them out of the arguments they show.
 */
public final class ServiceConnections {

    private static final List<String> NAMES = List.of("--pg-url", "--pg-user", "--pg-password", "--redis", "--kafka");

    @Option(names = "--pg-url", paramLabel = "URL", defaultValue = "jdbc:postgresql://127.0.0.1:5432/",
            description = "PostgreSQL server (default ${DEFAULT-VALUE})")
    public String pgUrl;
    @Option(names = "--pg-user", paramLabel = "NAME", defaultValue = "postgres", description = "(default ${DEFAULT-VALUE})")
    public String pgUser;
    @Option(names = "--pg-password", paramLabel = "SECRET", defaultValue = "", description = "(default: none)")
    public String pgPassword;
    @Option(names = "--redis", paramLabel = "URL", defaultValue = "redis://127.0.0.1:6379",
            description = "(default ${DEFAULT-VALUE})")
    public String redis;
    @Option(names = "--kafka", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9092",
            description = "(default ${DEFAULT-VALUE})")
    public String kafka;

    /** The arguments as a report names them: without these options (and the password among them). */
    public static List<String> shown(String[] argv) {
        return Arrays.stream(argv).filter(arg -> Stream.of(NAMES.toArray(String[]::new))
                .noneMatch(name -> arg.equals(name) || arg.startsWith(name + "="))).toList();
    }
}
