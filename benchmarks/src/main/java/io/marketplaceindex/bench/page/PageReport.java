package io.marketplaceindex.bench.page;

import io.marketplaceindex.bench.page.PageBenchmark.Mode;
import io.marketplaceindex.bench.page.PageBrowser.Request;
import io.marketplaceindex.bench.page.PageBrowser.Sample;
import io.marketplaceindex.bench.support.MachineInfo;
import io.marketplaceindex.bench.support.Stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/** The page benchmark's Markdown report; the analysis is written under it after the run. */
final class PageReport {

    private final PageBenchmark.Result r;

    PageReport(PageBenchmark.Result result) {
        this.r = result;
    }

    String markdown() {
        PageOptions o = r.options();
        StringBuilder md = new StringBuilder();
        md.append("# Page benchmark: first render of `").append(r.url()).append("`\n\n");
        md.append("Command: `scripts/bench-page");
        o.shownArguments.forEach(a -> md.append(' ').append(a));
        md.append("`, started ").append(r.started()).append(". Database `").append(o.db).append("`; the page said \"")
                .append(lastStatus()).append("\".\n\n");
        md.append("## Machine\n\n").append(MachineInfo.markdownTable(r.machine(), "",
                Map.of("browser", "Chromium " + r.browserVersion() + " (headless, Playwright)"),
                "CPU pressure (PSI some, avg60) before / after")).append('\n');
        md.append("""
                ## Method

                Two api-service processes (`api-service.jar`) serve the database, each with its own Redis key prefix
                and the anonymous rate limit off: *cold*, whose cached answers expire after 1 ms
                (`MARKETPLACE_CACHE_TTL=1ms`, every API answer comes from PostgreSQL; the X-Cache column shows it),
                and *warm*, with a 30-minute cache filled by the warm-up loads. PostgreSQL's own buffers are warm in
                both: cold means the API's cache, not the database server's. Each load opens the page in a fresh
                browser context (no cookies, no HTTP cache: a first visit, every asset fetched) at 1280 × 800,
                cold and warm taking turns, after unmeasured warm-up loads of each (the api-service's JIT).
                *First render*: from navigation start (`performance.now()` is 0 there) to the animation frame
                after the DOM first holds an agent card with a size and the status line "Showing X of Y agents".
                Requests and bytes from the Resource Timing API (`transferSize`: headers and compressed body) for
                the document and every resource, counted *before first render* (ended by then) and *in all*
                (once the network was idle for 500 ms: tag facets and the like included). Median and p95
                nearest-rank over the runs. *Long tasks*: the main thread's tasks of over 50 ms (Long Tasks API:
                script, style, layout), summed up to the first render: time the page spent that no request shows.

                """);
        md.append("## First render\n\n| mode | runs | median | p95 | min | max | requests before first render "
                + "| bytes before first render | requests in all | bytes in all | long tasks before first render "
                + "| API answers by X-Cache |\n"
                + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (Mode mode : Mode.values()) {
            List<Sample> s = r.samples().get(mode);
            List<Double> render = values(s, Sample::firstRenderMs);
            md.append("| ").append(mode.label).append(" | ").append(s.size()).append(" | ").append(ms(Stats.median(render)))
                    .append(" | ").append(ms(Stats.percentile(render, 95))).append(" | ")
                    .append(ms(render.stream().mapToDouble(d -> d).min().orElse(Double.NaN))).append(" | ")
                    .append(ms(render.stream().mapToDouble(d -> d).max().orElse(Double.NaN))).append(" | ")
                    .append(num(Stats.median(values(s, x -> x.beforeFirstRender().size())))).append(" | ")
                    .append(bytes(Stats.median(values(s, x -> sum(x.beforeFirstRender()))))).append(" | ")
                    .append(num(Stats.median(values(s, x -> x.requests().size())))).append(" | ")
                    .append(bytes(Stats.median(values(s, x -> sum(x.requests()))))).append(" | ")
                    .append(ms(Stats.median(values(s, Sample::longTaskMsBeforeFirstRender)))).append(" | ")
                    .append(xCache(s)).append(" |\n");
        }
        md.append("\nRequests and bytes are medians per load. Goal: first agents within ").append(o.goalMs)
                .append(" ms.\n");
        md.append(verdicts()).append('\n').append(requestTables()).append(samples()).append(problems());
        md.append("## Analysis\n\n(written after the run)\n");
        return md.toString();
    }

    /** Whether each mode met the goal, by its median and by its p95. */
    private String verdicts() {
        StringBuilder md = new StringBuilder();
        for (Mode mode : Mode.values()) {
            List<Double> render = values(r.samples().get(mode), Sample::firstRenderMs);
            double p95 = Stats.percentile(render, 95);
            md.append("* ").append(mode.label).append(": median ").append(ms(Stats.median(render))).append(", p95 ")
                    .append(ms(p95)).append(": ").append(Stats.median(render) <= r.options().goalMs
                            ? (p95 <= r.options().goalMs ? "met" : "met by the median, not by the p95") : "not met").append(".\n");
        }
        return md.toString();
    }

    /** Each request's median start and end, in the order the page makes them: where the time goes. */
    private String requestTables() {
        StringBuilder md = new StringBuilder("## Where the time goes\n\nPer request, the median over the runs of "
                + "its start and end (ms since navigation start) and its bytes; the first-render median beside.\n\n");
        for (Mode mode : Mode.values()) {
            List<Sample> s = r.samples().get(mode);
            Map<String, List<Request>> byRequest = new LinkedHashMap<>();
            for (Sample sample : s) {
                Map<String, Integer> seen = new TreeMap<>();
                for (Request q : sample.requests()) {
                    int n = seen.merge(q.path(), 1, Integer::sum);
                    String key = n == 1 ? q.path() : q.path() + " (#" + n + ")";
                    byRequest.computeIfAbsent(key, k -> new ArrayList<>()).add(q);
                }
            }
            md.append("### ").append(mode.label).append(" (first render ")
                    .append(ms(Stats.median(values(s, Sample::firstRenderMs)))).append(")\n\n")
                    .append("| request | type | in runs | start | end | duration | bytes |\n")
                    .append("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
            byRequest.entrySet().stream()
                    .sorted(java.util.Comparator.comparingDouble(e -> Stats.median(values(e.getValue(), Request::startMs))))
                    .forEach(e -> {
                        List<Request> q = e.getValue();
                        md.append("| `").append(e.getKey()).append("` | ").append(q.get(0).type()).append(" | ")
                                .append(q.size()).append(" | ").append(ms(Stats.median(values(q, Request::startMs))))
                                .append(" | ").append(ms(Stats.median(values(q, Request::endMs)))).append(" | ")
                                .append(ms(Stats.median(values(q, x -> x.endMs() - x.startMs())))).append(" | ")
                                .append(bytes(Stats.median(values(q, x -> (double) x.bytes())))).append(" |\n");
                    });
            md.append('\n');
        }
        return md.toString();
    }

    private String samples() {
        StringBuilder md = new StringBuilder("## Every run\n\nFirst render in ms, in run order (DOM ready in brackets), "
                + "then the main thread's long tasks (over 50 ms) of that load as start+duration ms.\n\n");
        for (Mode mode : Mode.values()) {
            md.append("* ").append(mode.label).append(":\n");
            for (Sample s : r.samples().get(mode)) {
                md.append("  * ").append(String.format(Locale.ROOT, "%.0f (%.0f)", s.firstRenderMs(), s.domMs()))
                        .append(s.longTasks().isEmpty() ? "; no long task" : "; long tasks " + s.longTasks().stream()
                                .map(t -> String.format(Locale.ROOT, "%.0f+%.0f", t.startMs(), t.durationMs()))
                                .collect(Collectors.joining(", "))).append('\n');
            }
        }
        return md.append('\n').toString();
    }

    private String problems() {
        List<String> all = new ArrayList<>();
        r.samples().forEach((mode, s) -> s.forEach(x -> x.problems().forEach(p -> all.add(mode.label + ": " + p))));
        return "## Errors the browser saw\n\n" + (all.isEmpty() ? "None.\n\n"
                : all.stream().map(p -> "* " + p).collect(Collectors.joining("\n")) + "\n\n");
    }

    private String lastStatus() {
        List<Sample> warm = r.samples().get(Mode.WARM);
        return warm.get(warm.size() - 1).status();
    }

    private static String xCache(List<Sample> samples) {
        Map<String, Integer> total = new TreeMap<>();
        samples.forEach(s -> s.xCache().forEach((k, v) -> total.merge(k, v, Integer::sum)));
        return total.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    private static double sum(List<Request> requests) {
        return requests.stream().mapToDouble(Request::bytes).sum();
    }

    private static <T> List<Double> values(List<T> items, ToDoubleFunction<T> f) {
        return items.stream().map(f::applyAsDouble).toList();
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,.0f ms", v);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String bytes(double v) {
        return v >= 10_000 ? String.format(Locale.ROOT, "%,.1f kB", v / 1000) : String.format(Locale.ROOT, "%,.0f B", v);
    }
}
