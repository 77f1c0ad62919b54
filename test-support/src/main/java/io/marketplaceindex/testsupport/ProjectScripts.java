package io.marketplaceindex.testsupport;

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
 * Runs the project's own scripts (the Kafka broker, a throwaway PostgreSQL server, the local stack), so
 * that a test starts those servers exactly as the scripts and benchmarks do.
 */
public final class ProjectScripts {

    private ProjectScripts() {
    }

    /** The repository root: the first directory at or above the working directory that holds the scripts. */
    public static Path root() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("scripts/lib/common.sh"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("scripts/lib/common.sh not found above " + System.getProperty("user.dir"));
        }
        return dir;
    }

    /**
     * Runs {@code bash -c <script> <args>} in the repository root with the extra environment, its output
     * appended to {@code log}; fails when it exits non-zero or outlasts the timeout.
     */
    public static void bash(String script, List<String> args, Map<String, String> env, Path log, Duration timeout) {
        List<String> command = new ArrayList<>(List.of("bash", "-c", script, "bash"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(root().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
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
