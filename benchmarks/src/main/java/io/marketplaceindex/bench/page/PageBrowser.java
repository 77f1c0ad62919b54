package io.marketplaceindex.bench.page;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.LoadState;
import com.microsoft.playwright.options.WaitUntilState;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Debian's Chromium driven by Playwright (no browser download, the e2e suite's launch options), and one
 * measured page load in a fresh browser context: no cookies, no HTTP cache, as a first visit.
 */
final class PageBrowser implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * Runs before the page's own scripts. The moment the page shows its first agents: a card that is not a
     * skeleton, laid out with a size, and the status line saying "Showing X of Y agents" (the catalog page
     * sets it right after appending the cards). Recorded as performance.now() (milliseconds since navigation
     * start) when the DOM has both, and again in the next animation frame, the one that paints them.
     * Also keeps the main thread's long tasks (over 50 ms): time the page spent that no request shows.
     */
    private static final String FIRST_RENDER_PROBE = """
            (() => {
              window.__benchLongTasks = [];
              new PerformanceObserver((list) => list.getEntries().forEach((e) =>
                window.__benchLongTasks.push({ start: e.startTime, duration: e.duration })))
                .observe({ type: 'longtask', buffered: true });
              const ready = () => {
                const status = document.getElementById('status');
                if (!status || !/^Showing \\d/.test(status.textContent)) return false;
                const card = document.querySelector('#grid .card:not(.skeleton)');
                if (!card) return false;
                const box = card.getBoundingClientRect();
                return box.width > 0 && box.height > 0;
              };
              const observer = new MutationObserver(() => {
                if (!ready()) return;
                observer.disconnect();
                window.__benchDom = performance.now();
                requestAnimationFrame(() => { window.__benchFirstRender = performance.now(); });
              });
              observer.observe(document, { childList: true, subtree: true, characterData: true });
            })();
            """;

    /** What the page says and fetched: the navigation and every resource, from the Resource Timing API. */
    private static final String COLLECT = """
            () => {
              const nav = performance.getEntriesByType('navigation')[0];
              const entries = [nav, ...performance.getEntriesByType('resource')].map((e) => ({
                name: e.name, type: e.initiatorType || 'navigation', start: e.startTime, end: e.responseEnd,
                bytes: e.transferSize || 0 }));
              return JSON.stringify({ render: window.__benchFirstRender, dom: window.__benchDom,
                longTasks: window.__benchLongTasks,
                status: document.getElementById('status').textContent,
                cards: document.querySelectorAll('#grid .card:not(.skeleton)').length, entries });
            }
            """;

    /** One request of a page load: its path and query, when it started and ended (ms since navigation start), bytes. */
    record Request(String path, String type, double startMs, double endMs, long bytes) {
    }

    /** A main-thread task of over 50 ms (script, style, layout): ms since navigation start, and how long. */
    record LongTask(double startMs, double durationMs) {
    }

    /**
     * One measured page load.
     *
     * @param firstRenderMs the frame that paints the first agents, ms since navigation start
     * @param domMs         when the DOM first held them
     * @param xCache        the X-Cache header of each API answer, by value (MISS, HIT, ...)
     * @param problems      uncaught errors, failed requests and error answers the browser saw
     * @param longTasks     the main thread's long tasks until the network went idle
     */
    record Sample(double firstRenderMs, double domMs, String status, int cards, List<Request> requests,
                  Map<String, Integer> xCache, List<String> problems, List<LongTask> longTasks) {

        List<Request> beforeFirstRender() {
            return requests.stream().filter(r -> r.endMs() <= firstRenderMs).toList();
        }

        /** The long tasks' time before the first render (a task still running then counts to that moment). */
        double longTaskMsBeforeFirstRender() {
            return longTasks.stream().filter(t -> t.startMs() < firstRenderMs)
                    .mapToDouble(t -> Math.min(t.durationMs(), firstRenderMs - t.startMs())).sum();
        }
    }

    private final Playwright playwright;
    private final Browser browser;

    private PageBrowser(Playwright playwright, Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    static PageBrowser launch(String chromium) {
        Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(Path.of(chromium))
                    .setHeadless(true)
                    .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                            "--disable-component-update")));
            return new PageBrowser(playwright, browser);
        } catch (RuntimeException e) {
            playwright.close();
            throw e;
        }
    }

    String version() {
        return browser.version();
    }

    /** Opens {@code url} in a fresh context and waits for the first agents, then for the network to go idle. */
    Sample load(String url, Duration timeout) {
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 800))) {
            context.addInitScript(FIRST_RENDER_PROBE);
            Page page = context.newPage();
            page.setDefaultTimeout(timeout.toMillis());
            Map<String, Integer> xCache = new ConcurrentHashMap<>();
            List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
            page.onResponse(r -> {
                if (URI.create(r.url()).getPath().startsWith("/api/")) {
                    xCache.merge(String.valueOf(r.headers().getOrDefault("x-cache", "none")), 1, Integer::sum);
                }
                if (r.status() >= 400) {
                    problems.add("answer " + r.status() + ": " + r.url());
                }
            });
            page.onPageError(e -> problems.add("uncaught: " + e));
            page.onRequestFailed(r -> problems.add("failed request: " + r.url() + " " + r.failure()));
            page.navigate(url, new Page.NavigateOptions().setWaitUntil(WaitUntilState.COMMIT));
            page.waitForFunction("() => window.__benchFirstRender !== undefined");
            // the requests the page makes after its first agents (tag facets, say) belong to the load as well
            page.waitForLoadState(LoadState.NETWORKIDLE);
            JsonNode seen = JSON.readTree((String) page.evaluate(COLLECT));
            List<Request> requests = new ArrayList<>();
            for (JsonNode e : seen.get("entries")) {
                URI uri = URI.create(e.get("name").asString());
                String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
                requests.add(new Request(path, e.get("type").asString(), e.get("start").asDouble(),
                        e.get("end").asDouble(), e.get("bytes").asLong()));
            }
            List<LongTask> longTasks = new ArrayList<>();
            for (JsonNode t : seen.get("longTasks")) {
                longTasks.add(new LongTask(t.get("start").asDouble(), t.get("duration").asDouble()));
            }
            return new Sample(seen.get("render").asDouble(), seen.get("dom").asDouble(), seen.get("status").asString(),
                    seen.get("cards").asInt(), requests, new TreeMap<>(xCache), List.copyOf(problems), longTasks);
        }
    }

    @Override
    public void close() {
        browser.close();
        playwright.close();
    }
}
