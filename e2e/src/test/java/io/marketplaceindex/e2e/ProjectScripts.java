package io.marketplaceindex.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the project's own scripts (the ones that start the Kafka broker and a throwaway PostgreSQL
 * server), so that a test starts those servers exactly as the scripts and benchmarks do.
 */
final class ProjectScripts {

    private ProjectScripts() {
    }

    /** The repository root (the e2e module runs with its own directory as the working directory). */
    static Path root() {
        return Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    }

    /**
     * Runs {@code bash -c <script> <args>} in the repository root with the extra environment, its output
     * appended to {@code log}; fails when it exits non-zero or outlasts the timeout.
     */
    static void bash(String script, List<String> args, Map<String, String> env, Path log, Duration timeout) {
        List<String> command = new ArrayList<>(List.of("bash", "-c", script, "bash"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(root().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        try {
            Files.createDirectories(log.getParent());
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("'" + script + "' " + args + " did not end within " + timeout
                        + "; see " + log);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("'" + script + "' " + args + " exited " + process.exitValue()
                        + "; see " + log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
