package io.marketplaceindex.e2e;

import com.deque.html.axecore.playwright.AxeBuilder;
import com.deque.html.axecore.results.AxeResults;
import com.deque.html.axecore.results.Rule;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.BoundingBox;
import com.microsoft.playwright.options.ColorScheme;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian's Chromium driven by Playwright (no browser download), and pages that record everything a
 * user would not want to see: console errors, uncaught exceptions, failed requests and error answers.
 */
final class BrowserPages implements AutoCloseable {

    private static final Set<String> BLOCKING_IMPACTS = Set.of("serious", "critical");

    private final Playwright playwright;
    private final Browser browser;

    private BrowserPages(Playwright playwright, Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    static BrowserPages launch() {
        String chromium = System.getenv().getOrDefault("MARKETPLACE_CHROMIUM", "/usr/bin/chromium");
        Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(Path.of(chromium))
                .setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update")));
        return new BrowserPages(playwright, browser);
    }

    /** A page of its own (fresh cookies), in a desktop-sized window and the given colour scheme. */
    Watched open(ColorScheme scheme) {
        return open(scheme, 1280, 800);
    }

    /** A page of its own (fresh cookies), in a window of this size (a phone's, a wide screen's). */
    Watched open(ColorScheme scheme, int width, int height) {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions()
                .setColorScheme(scheme).setViewportSize(width, height));
        Page page = context.newPage();
        Watched watched = new Watched(context, page, new CopyOnWriteArrayList<>());
        page.onConsoleMessage(m -> {
            if ("error".equals(m.type()) || "warning".equals(m.type()) && m.text().contains("Content Security Policy")) {
                watched.problems().add("console " + m.type() + ": " + m.text() + " at " + m.location());
            }
        });
        page.onPageError(e -> watched.problems().add("uncaught: " + e));
        page.onRequestFailed(r -> watched.problems().add("failed request: " + r.method() + " " + r.url() + " " + r.failure()));
        page.onResponse(r -> {
            if (r.status() >= 400) {
                watched.problems().add("answer " + r.status() + ": " + r.request().method() + " " + r.url());
            }
        });
        return watched;
    }

    record Watched(BrowserContext context, Page page, List<String> problems) implements AutoCloseable {

        void assertNoErrors() {
            assertThat(problems).as("errors the browser reported").isEmpty();
        }

        /** axe-core over the whole page as it is now: no serious or critical violation. */
        void assertAccessible() {
            AxeResults results = new AxeBuilder(page).withTags(List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                    "best-practice")).analyze();
            List<Rule> blocking = results.getViolations().stream()
                    .filter(v -> BLOCKING_IMPACTS.contains(v.getImpact())).toList();
            assertThat(blocking).as(() -> "axe-core violations on " + page.url() + ":\n" + blocking.stream()
                    .map(v -> v.getImpact() + " " + v.getId() + ": " + v.getHelp() + " at "
                            + v.getNodes().stream().map(n -> String.valueOf(n.getTarget())).limit(5).toList())
                    .collect(Collectors.joining("\n"))).isEmpty();
        }

        /** Nothing wider than the window: the page never scrolls sideways. */
        void assertFitsTheWidth() {
            Object widths = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]");
            List<?> w = (List<?>) widths;
            assertThat(((Number) w.get(0)).intValue()).as("scrollWidth against innerWidth on " + page.url())
                    .isLessThanOrEqualTo(((Number) w.get(1)).intValue());
        }

        /**
         * The control can be brought into view (scrolling the page, or a table's own scroller) and then
         * lies wholly inside the window: a finger or a pointer can reach it.
         */
        void assertReachable(Locator control) {
            control.scrollIntoViewIfNeeded();
            BoundingBox box = control.boundingBox();
            int width = ((Number) page.evaluate("() => window.innerWidth")).intValue();
            assertThat(box).as("%s is laid out", control).isNotNull();
            assertThat(box.x).as("%s left edge", control).isGreaterThanOrEqualTo(0);
            assertThat(box.x + box.width).as("%s right edge", control).isLessThanOrEqualTo(width);
            assertThat(box.width * box.height).as("%s has an area", control).isPositive();
        }

        @Override
        public void close() {
            context.close();
        }
    }

    @Override
    public void close() {
        browser.close();
        playwright.close();
    }
}
