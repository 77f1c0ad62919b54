package io.marketplaceindex.e2e;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import io.marketplaceindex.simulator.SimulatedAgent;
import io.marketplaceindex.simulator.SimulatedRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/** The web page in a real (headless) Chromium, against the running system. */
@ExtendWith(SystemStack.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogPageE2ETest {

    private Playwright playwright;
    private Browser browser;
    private SystemStack stack;
    private SimulatedRegistry east;

    @BeforeAll
    void startBrowser(SystemStack stack) {
        this.stack = stack;
        Api api = new Api(stack.apiUrl());
        east = stack.simulator().addRegistry("east", 60, 31L);
        long before = api.get("/api/marketplace?limit=1").body().get("total").asLong();
        assertThat(api.asAdmin("POST", "/api/settings/registries",
                "{\"name\":\"East\",\"url\":\"" + east.baseUrl() + "\"}").status()).isEqualTo(202);
        api.awaitCatalog("the east registry indexed", Duration.ofSeconds(60),
                page -> page.get("total").asLong() >= before + east.size());

        String chromium = System.getenv().getOrDefault("MARKETPLACE_CHROMIUM", "/usr/bin/chromium");
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(Path.of(chromium))
                .setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update")));
    }

    @AfterAll
    void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
    }

    @Test
    void browsingSearchingAndFilteringTheCatalog() throws Exception {
        Page page = browser.newPage();
        // the page works under its Content-Security-Policy: the browser refuses nothing it loads or runs
        List<String> refused = new java.util.concurrent.CopyOnWriteArrayList<>();
        page.onConsoleMessage(m -> {
            if (m.text().contains("Content Security Policy")) {
                refused.add(m.text());
            }
        });
        com.microsoft.playwright.Response loaded = page.navigate(stack.apiUrl() + "/");
        assertThat(loaded.headers().get("content-security-policy")).contains("default-src 'self'");
        Locator cards = page.locator("#grid .card");
        assertThat(cards.first()).isVisible();
        assertThat(cards.count()).isGreaterThanOrEqualTo(48);
        assertThat(page.locator("#status")).containsText("agents from");

        // infinite scroll / load more brings the next page
        page.locator("#load-more").click();
        page.waitForCondition(() -> cards.count() > 48);

        SimulatedAgent target = east.agents().get(17);
        page.locator("#search").fill(target.name());
        String needle = target.name().toLowerCase(java.util.Locale.ROOT);
        page.waitForCondition(() -> everyCardMatches(page, needle));
        assertThat(page.locator("#grid .card h3").allTextContents()).contains(target.name());

        page.locator("#search").fill("");
        page.waitForCondition(() -> page.locator("#grid .card").count() >= 48);
        String tag = target.tags().get(0);
        page.locator("#tags .tag", new Page.LocatorOptions().setHasText(tag)).first().click();
        assertThat(page.locator("#tags .tag[aria-pressed=true]")).hasText(tag);
        page.waitForCondition(() -> everyCardMatches(page, tag) && page.locator("#grid .card").count() > 1);

        Path shots = Path.of("target", "screenshots");
        Files.createDirectories(shots);
        page.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("catalog.png")).setFullPage(false));
        assertThat(refused).as("Content-Security-Policy violations").isEmpty();
        page.close();
    }

    /** The filter reached the grid: it is not empty and every card shows the text searched for. */
    private static boolean everyCardMatches(Page page, String text) {
        List<String> cards = page.locator("#grid .card").allTextContents();
        return !cards.isEmpty() && cards.stream().allMatch(c -> c.toLowerCase(java.util.Locale.ROOT).contains(text));
    }

    @Test
    void anOperatorSignsInAndSeesRegistries() {
        Page page = browser.newPage();
        page.navigate(stack.apiUrl() + "/");
        page.locator("#show-login").click();
        page.locator("#login-email").fill(SystemStack.ADMIN_EMAIL);
        page.locator("#login-password").fill(SystemStack.ADMIN_PASSWORD);
        page.locator("#login-form button[type=submit]").click();
        assertThat(page.locator("#operator-panel")).isVisible();
        assertThat(page.locator("#registry-rows tr").first()).isVisible();
        assertThat(page.locator("#registry-rows")).containsText("East");
        // signing out is a change: it goes through only with the session's CSRF token, which the page sends
        page.locator("#logout-button").click();
        assertThat(page.locator("#show-login")).isVisible();
        page.reload();
        assertThat(page.locator("#show-login")).isVisible();
        assertThat(page.locator("#operator-panel")).isHidden();
        page.close();
    }
}
