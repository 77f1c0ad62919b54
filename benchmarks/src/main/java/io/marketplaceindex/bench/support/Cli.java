package io.marketplaceindex.bench.support;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.util.Optional;
import java.util.function.Function;

/**
 * How the benchmark drivers read their command line: picocli (as the index-sync command does) on an
 * object whose fields carry {@code @Option}, then that benchmark's check of the values. {@code --help}
 * prints the usage picocli writes from the annotations; a bad option exits 2 with the reason and the usage.
 */
public final class Cli {

    private Cli() {
    }

    /**
     * @param command  a fresh {@code @Command} object, filled from {@code argv}
     * @param validate turns the filled object into the benchmark's options, or throws IllegalArgumentException
     * @return the options; empty for {@code --help}
     * @throws IllegalArgumentException with the reason, for an unknown option, a missing or malformed value
     */
    public static <T, R> Optional<R> parse(T command, String[] argv, Function<T, R> validate) {
        CommandLine cli = new CommandLine(command);
        try {
            cli.parseArgs(argv);
        } catch (ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return cli.isUsageHelpRequested() ? Optional.empty() : Optional.of(validate.apply(command));
    }

    /** As {@link #parse}, for a main: the usage on stdout for {@code --help}, exit 2 with it on stderr for a bad option. */
    public static <T, R> Optional<R> parseOrExit(T command, String[] argv, Function<T, R> validate) {
        Optional<R> options;
        try {
            options = parse(command, argv, validate);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            new CommandLine(command).usage(System.err);
            System.exit(2);
            return Optional.empty();
        }
        if (options.isEmpty()) {
            new CommandLine(command).usage(System.out);
        }
        return options;
    }

    /** The value, when it is at least {@code min}. */
    public static int atLeast(String option, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", not " + value);
        }
        return value;
    }
}
