package io.marketplaceindex.bench.support;

import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * What one wrk run measured, read from the one line {@code BENCH {json}} that the benchmarks' shared
 * Lua {@code done()} hook ({@link #doneHook()}) prints after wrk's own summary: the one parser of wrk's
 * output for every benchmark. Latencies in milliseconds.
 *
 * @param fields  the whole line, for what a script counted beyond the common figures (X-Cache hits, ...)
 * @param summary wrk's own text before the line, as reports show it
 */
public record WrkFigures(long requests, double seconds, long bytes, double p50, double p90, double p95, double p99,
                         double max, long connectErrors, long readErrors, long writeErrors, long timeouts,
                         long non2xx3xx, JsonNode fields, String summary) {

    private static final String PREFIX = "BENCH ";

    public double requestsPerSecond() {
        return requests / seconds;
    }

    /** Socket errors (connect, read, write), timeouts and answers of status 400 and above. */
    public long errors() {
        return connectErrors + readErrors + writeErrors + timeouts + non2xx3xx;
    }

    /** The Lua {@code done()} hook to append to a wrk script (or to run as the whole script). */
    public static String doneHook() {
        try (InputStream in = WrkFigures.class.getResourceAsStream("wrk-done.lua")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @throws IllegalStateException when the output has no figures (wrk failed before its end) */
    public static WrkFigures parse(String output) {
        int at = output.startsWith(PREFIX) ? 0 : output.indexOf('\n' + PREFIX) + 1;
        if (at == 0 && !output.startsWith(PREFIX)) {
            throw new IllegalStateException("wrk printed no result:\n" + output);
        }
        int end = output.indexOf('\n', at);
        JsonNode r = JsonHttp.JSON.readTree(output.substring(at + PREFIX.length(), end < 0 ? output.length() : end));
        return new WrkFigures(r.get("requests").asLong(), r.get("duration_us").asLong() / 1e6, r.get("bytes").asLong(),
                ms(r, "p50_us"), ms(r, "p90_us"), ms(r, "p95_us"), ms(r, "p99_us"), ms(r, "max_us"),
                r.get("connect_errors").asLong(), r.get("read_errors").asLong(), r.get("write_errors").asLong(),
                r.get("timeouts").asLong(), r.get("non2xx3xx").asLong(), r, output.substring(0, at).strip());
    }

    private static double ms(JsonNode r, String field) {
        return r.get(field).asLong() / 1000.0;
    }
}
