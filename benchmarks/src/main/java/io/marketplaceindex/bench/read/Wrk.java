package io.marketplaceindex.bench.read;

import io.marketplaceindex.bench.support.Log;
import io.marketplaceindex.bench.support.WrkFigures;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs wrk with the benchmark's Lua script and reads the line its done() hook prints. */
final class Wrk {

    /** One wrk run; latencies in milliseconds. */
    record Run(String label, int threads, int connections, int seconds, long requests, double requestsPerSecond,
               double p50, double p90, double p95, double p99, double max, long errors, boolean counted, long hits,
               long misses, long otherCache, long non200, double bytesPerRequest) {
    }

    private final Path workDir;
    private final Path script;

    Wrk(Path workDir) throws IOException {
        this.workDir = workDir;
        this.script = workDir.resolve("bench.lua");
        try (InputStream in = Wrk.class.getResourceAsStream("bench.lua")) {
            Files.writeString(script, new String(in.readAllBytes(), StandardCharsets.UTF_8) + "\n" + WrkFigures.doneHook(),
                    StandardCharsets.UTF_8);
        }
    }

    /**
     * @param delayMillis pause between requests on a connection (outside the measured time)
     * @param count       check the X-Cache header and status of every response
     */
    Run run(String label, String baseUrl, List<String> paths, int threads, int connections, int seconds,
            int delayMillis, boolean count) throws IOException, InterruptedException {
        Path pathsFile = workDir.resolve("paths-" + label.replaceAll("[^A-Za-z0-9_.-]", "_") + ".txt");
        Files.write(pathsFile, paths, StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s",
                "--timeout", "30s", "-s", script.toString(), baseUrl, "--", pathsFile.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("BENCH_DELAY_MS", Integer.toString(delayMillis));
        env.put("BENCH_COUNT", count ? "1" : "0");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        WrkFigures r;
        try {
            r = WrkFigures.parse(out);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("wrk (exit " + exit + ") printed no result:\n" + out, e);
        }
        long requests = r.requests();
        long errors = r.errors();
        if (r.non2xx3xx() > 0) {
            // a benchmark of error answers measures nothing: stop rather than report it
            throw new IllegalStateException("wrk " + label + ": " + r.non2xx3xx() + " of " + requests
                    + " answers were not 2xx/3xx (a rate limit, a wrong URL or a failing service)");
        }
        JsonNode counted = r.fields();
        Run run = new Run(label, threads, connections, seconds, requests, r.requestsPerSecond(),
                r.p50(), r.p90(), r.p95(), r.p99(), r.max(), errors,
                counted.get("counted").asBoolean(), counted.get("hits").asLong(), counted.get("misses").asLong(),
                counted.get("other_cache").asLong(), counted.get("non200").asLong(),
                requests == 0 ? 0 : (double) r.bytes() / requests);
        Log.info("  wrk %-34s -t%d -c%-3d %5.0f req/s  p50 %7.2f ms  p95 %7.2f ms  p99 %7.2f ms%s%s", label, threads,
                connections, run.requestsPerSecond(), run.p50(), run.p95(), run.p99(),
                errors > 0 ? "  errors " + errors : "",
                count ? "  (hit " + run.hits() + ", miss " + run.misses() + ", other " + run.otherCache() + ")" : "");
        return run;
    }
}
