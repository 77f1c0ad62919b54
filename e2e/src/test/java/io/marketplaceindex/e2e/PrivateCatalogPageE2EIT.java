package io.marketplaceindex.e2e;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.ColorScheme;
import io.marketplaceindex.simulator.SimulatedRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the catalog is private (MARKETPLACE_PUBLIC_CATALOG=false) the page still opens, asks for a
 * sign-in, and shows the catalog once signed in, without a reload.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrivateCatalogPageE2EIT {

    private SystemStack stack;
    private BrowserPages browser;
    private SimulatedRegistry registry;

    @BeforeAll
    void start() {
        stack = SystemStack.start(SystemStack.Options.defaults().withName("e2e_private").withWorkers(1)
                .withApiEnv(Map.of("MARKETPLACE_PUBLIC_CATALOG", "false")));
        Api api = new Api(stack.apiUrl());
        registry = stack.simulator().addRegistry("private", 12, 5L);
        assertThat(api.asAdmin("POST", "/api/settings/registries",
                "{\"name\":\"Private\",\"url\":\"" + registry.baseUrl() + "\"}").status()).isEqualTo(202);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (api.asAdmin("GET", "/api/marketplace?limit=1", null).body().get("total").asLong() < registry.size()) {
            assertThat(System.nanoTime()).as("the registry indexed in time").isLessThan(deadline);
            SystemStack.sleep(250);
        }
        assertThat(api.get("/api/marketplace?limit=1").status()).isEqualTo(401);
        browser = BrowserPages.launch();
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void signInThenTheMarketplace() {
        BrowserPages.Watched watched = browser.open(ColorScheme.LIGHT);
        Page page = watched.page();
        page.navigate(stack.apiUrl() + "/marketplace");
        assertThat(page.locator("h1")).hasText("Marketplace");
        assertThat(page.locator("#empty-title")).hasText("Sign in to see the catalog");
        assertThat(page.locator("#login-form")).isVisible();
        watched.assertAccessible();
        // what the browser reported so far is the API refusing the anonymous reads, and nothing else
        assertThat(watched.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).contains("401"));
        watched.problems().clear();

        page.locator("#login-email").fill(SystemStack.ADMIN_EMAIL);
        page.locator("#login-password").fill(SystemStack.ADMIN_PASSWORD);
        page.locator("#login-form button[type=submit]").click();
        assertThat(page.locator("#grid .card:not(.skeleton)")).hasCount(registry.size());
        assertThat(page.locator("#status")).hasText("Showing " + registry.size() + " of " + registry.size() + " agents");
        assertThat(page.locator("#empty")).isHidden();
        assertThat(page.locator("#tags .tag").first()).isVisible();
        List<String> shown = page.locator("#grid .card").evaluateAll("cs => cs.map(c => c.dataset.handle)") instanceof List<?> l
                ? l.stream().map(String::valueOf).toList() : List.of();
        assertThat(shown).containsExactlyInAnyOrderElementsOf(registry.handles());
        watched.assertAccessible();
        watched.assertNoErrors();
        watched.close();
    }
}
