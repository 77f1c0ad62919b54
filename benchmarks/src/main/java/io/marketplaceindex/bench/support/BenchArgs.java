package io.marketplaceindex.bench.support;

import java.util.Optional;
import java.util.function.Function;

/** How the benchmark drivers read their command line: a parse error exits 2 with the usage. */
public final class BenchArgs {

    private BenchArgs() {
    }

    /**
     * @param parse returns the options, null for {@code --help}, or throws IllegalArgumentException
     * @return the options; empty when the usage was printed for {@code --help}
     */
    public static <T> Optional<T> parseOrExit(String[] argv, Function<String[], T> parse, String usage) {
        T options;
        try {
            options = parse.apply(argv);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(usage);
            System.exit(2);
            return Optional.empty();
        }
        if (options == null) {
            System.out.println(usage);
        }
        return Optional.ofNullable(options);
    }
}
