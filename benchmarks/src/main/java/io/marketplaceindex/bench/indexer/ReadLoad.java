package io.marketplaceindex.bench.indexer;

import io.marketplaceindex.bench.support.MachineInfo;
import io.marketplaceindex.bench.support.WrkFigures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop read load on the catalog API ({@code wrk}, as many requests as the service answers):
 * a fixed mix of catalog URLs, one after the other on every connection, through a Lua script whose
 * shared {@code done()} hook prints the figures wrk's own summary lacks (p95, errors by kind, non-2xx).
 *
 * <p>A run is either timed ({@link #measure}) or open-ended ({@link #start}, then {@link Running#stop}
 * when whatever it accompanies is over): wrk stops on SIGINT and still prints its summary.
 */
final class ReadLoad {

    /** One wrk run over the URL mix. Latencies in milliseconds. */
    record Result(String label, double seconds, long requests, double requestsPerSecond, double p50, double p95,
                  double p99, double max, long non2xx, long connectErrors, long readErrors, long writeErrors,
                  long timeouts, String output) {
        long errors() {
            return non2xx + connectErrors + readErrors + writeErrors + timeouts;
        }
    }

    private final String baseUrl;
    private final List<String> paths;
    private final int connections;
    private final int timeoutSeconds;
    private final Path script;

    /**
     * @param baseUrl the api-service, e.g. {@code http://127.0.0.1:8080}
     * @param paths   the mix: paths with their query, taken in turn
     * @param scratch a directory for the Lua script
     */
    ReadLoad(String baseUrl, List<String> paths, int connections, int timeoutSeconds, Path scratch) {
        this.baseUrl = baseUrl;
        this.paths = List.copyOf(paths);
        this.connections = connections;
        this.timeoutSeconds = timeoutSeconds;
        try {
            Files.createDirectories(scratch);
            this.script = scratch.resolve("read-load.lua");
            Files.writeString(script, luaScript(this.paths), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<String> paths() {
        return paths;
    }

    int connections() {
        return connections;
    }

    int timeoutSeconds() {
        return timeoutSeconds;
    }

    Result measure(String label, int seconds) {
        return start(label, seconds).await(seconds + 60L);
    }

    /** Starts wrk for at most {@code maxSeconds}; stop it with {@link Running#stop()}. */
    Running start(String label, int maxSeconds) {
        List<String> command = List.of("wrk", "-t2", "-c" + connections, "-d" + maxSeconds + "s",
                "--timeout", timeoutSeconds + "s", "-s", script.toString(), baseUrl);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            // read as it comes, so a full pipe never blocks wrk
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return new Running(label, process, output, maxSeconds);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run wrk (install the 'wrk' package)", e);
        }
    }

    final class Running {
        private final String label;
        private final Process process;
        private final CompletableFuture<String> output;
        private final int maxSeconds;

        private Running(String label, Process process, CompletableFuture<String> output, int maxSeconds) {
            this.label = label;
            this.process = process;
            this.output = output;
            this.maxSeconds = maxSeconds;
        }

        /** SIGINT: wrk ends its connections and prints the summary of what it measured so far. */
        Result stop() {
            try {
                new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).inheritIO().start().waitFor();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return await(60);
        }

        private Result await(long seconds) {
            try {
                if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("wrk (" + label + ") did not end");
                }
                String text = output.get(10, TimeUnit.SECONDS);
                if (process.exitValue() != 0) {
                    throw new IllegalStateException("wrk (" + label + ") failed: " + text);
                }
                return parse(label, text);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("wrk (" + label + "): no output", e);
            }
        }

        int maxSeconds() {
            return maxSeconds;
        }
    }

    static Result parse(String label, String output) {
        WrkFigures f = WrkFigures.parse(output);
        return new Result(label, f.seconds(), f.requests(), f.requestsPerSecond(), f.p50(), f.p95(), f.p99(), f.max(),
                f.non2xx3xx(), f.connectErrors(), f.readErrors(), f.writeErrors(), f.timeouts(), f.summary());
    }

    /**
     * Each thread walks the mix from its own starting point. wrk counts a status of 400 and above as an
     * error ({@code errors.status}); a 3xx cannot occur here (no conditional requests are sent), so that
     * count is the non-2xx answers. No {@code response()} function: wrk then skips handing it the body.
     */
    static String luaScript(List<String> paths) {
        StringBuilder lua = new StringBuilder("local paths = {\n");
        for (String path : paths) {
            lua.append("  \"").append(path.replace("\\", "\\\\").replace("\"", "\\\"")).append("\",\n");
        }
        lua.append("""
                }
                local counter = 0
                function init(args)
                  counter = math.random(#paths)
                end
                function request()
                  counter = counter % #paths + 1
                  return wrk.format("GET", paths[counter])
                end
                """);
        return lua.append(WrkFigures.doneHook()).toString();
    }

    /** The Markdown report: the machine, the mix, and the runs side by side with their ratios to the idle run before. */
    static String report(String commandLine, java.time.Instant startedAt, java.util.Map<String, String> machine,
                         ReadLoad load, List<Result> runs, String rebuild) {
        Result idle = runs.get(0);
        StringBuilder md = new StringBuilder();
        md.append("# Catalog reads during a full rebuild, ")
                .append(java.time.LocalDate.ofInstant(startedAt, java.time.ZoneOffset.UTC)).append("\n\n");
        md.append("Generated by `").append(commandLine).append("` (started ")
                .append(startedAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).append(", took ")
                .append(java.time.Duration.between(startedAt, java.time.Instant.now()).toSeconds())
                .append(" s). One run; every number below is from it.\n\n");
        md.append("## Machine\n\n");
        md.append(MachineInfo.markdownTable(machine, " (shared with other users of the machine)", java.util.Map.of(),
                "CPU pressure before / after (PSI `some avg60`)")).append('\n');
        md.append("Everything ran on this machine's cores at once: wrk, the api-service, the two indexer-workers, the ")
                .append("registry simulator, PostgreSQL, Redis and Kafka. The rebuild and the reads compete for the same two ")
                .append("cores, so the run during the rebuild shows what reads cost when the machine is saturated by the ")
                .append("rebuild, not what separate machines would give.\n\n");
        md.append("## Load\n\n`wrk -t2 -c").append(load.connections()).append(" --timeout ").append(load.timeoutSeconds())
                .append("s` (closed loop: every connection sends its next request when the last is answered, so the rate is ")
                .append("the highest the service sustains), anonymous GETs, each thread walking this mix in turn:\n\n");
        for (String path : load.paths()) {
            md.append("- `").append(path).append("`\n");
        }
        md.append("\nThe rebuild: ").append(rebuild).append(".\n\n");
        md.append("Errors are wrk's: answers of status 400 or above (non-2xx: nothing else can come back here), and ")
                .append("socket errors (connect, read, write) and timeouts.\n\n");
        md.append("## Results\n\n");
        md.append("| run | time | requests | requests/s | p50 | p95 | p99 | max | errors (non-2xx / socket / timeout) "
                + "| throughput vs idle before | p95 vs idle before |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |\n");
        for (Result r : runs) {
            md.append(String.format(Locale.ROOT, "| %s | %.1f s | %,d | %,.0f | %.1f ms | %.1f ms | %.1f ms | %.1f ms "
                            + "| %d (%d / %d / %d) | %.2f | %.2f |%n", r.label(), r.seconds(), r.requests(),
                    r.requestsPerSecond(), r.p50(), r.p95(), r.p99(), r.max(), r.errors(), r.non2xx(),
                    r.connectErrors() + r.readErrors() + r.writeErrors(), r.timeouts(),
                    r.requestsPerSecond() / idle.requestsPerSecond(), r.p95() / idle.p95()));
        }
        md.append('\n');
        for (Result r : runs) {
            md.append("<details><summary>wrk ").append(r.label()).append("</summary>\n\n```\n").append(r.output())
                    .append("\n```\n\n</details>\n\n");
        }
        return md.toString();
    }

    static String format(Result r) {
        return String.format(Locale.ROOT, "%s: %.1f s, %,d requests, %.0f requests/s, p50 %.1f ms, p95 %.1f ms, "
                        + "p99 %.1f ms, errors %d (non-2xx %d, connect %d, read %d, write %d, timeout %d)", r.label(),
                r.seconds(), r.requests(), r.requestsPerSecond(), r.p50(), r.p95(), r.p99(), r.errors(), r.non2xx(),
                r.connectErrors(), r.readErrors(), r.writeErrors(), r.timeouts());
    }
}
