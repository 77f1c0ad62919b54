package io.marketplaceindex.e2e;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.ColorScheme;
import io.marketplaceindex.simulator.Fault;
import io.marketplaceindex.simulator.SimulatedAgent;
import io.marketplaceindex.simulator.SimulatedRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.marketplaceindex.e2e.Api.enc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The marketplace page in a real (headless) Chromium against the running system: what it shows is
 * compared with what the API answers for the same parameters, every filter survives a reload and
 * back/forward, axe-core finds no serious or critical violation, the catalog and an agent fit a phone
 * and a wide screen in light and dark, and the browser reports no error.
 */
@ExtendWith(SystemStack.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogPageE2EIT {

    /** The page asks for this many agents at a time. */
    private static final int PAGE = 48;
    private static final String HOSTILE_NAME = "<img src=x onerror=\"window.__injected=1\">Probe";
    /** An agent a typed search should find first, its words typed in another order. */
    private static final String RANKED_NAME = "Quantum Weather Oracle";
    /** What the page asks for when q is set and no sort was picked. */
    private static final String BY_RELEVANCE = "&sort=relevance";

    private BrowserPages browser;
    private SystemStack stack;
    private Api api;
    private SimulatedRegistry east;
    private SimulatedRegistry west;

    @BeforeAll
    void connectRegistriesAndStartTheBrowser(SystemStack stack) {
        this.stack = stack;
        api = new Api(stack.apiUrl());
        // 130 agents: three pages of the page's 48, so scrolling has to load twice more
        east = stack.simulator().addRegistry("east", 130, 31L);
        east.addAgent("markup-probe", HOSTILE_NAME);
        east.addAgent("relevance-probe", RANKED_NAME);
        west = stack.simulator().addRegistry("west", 20, 47L);
        for (SimulatedRegistry r : List.of(east, west)) {
            String name = r == east ? "Page East" : "Page West";
            assertThat(api.asAdmin("POST", "/api/settings/registries",
                    "{\"name\":\"" + name + "\",\"url\":\"" + r.baseUrl() + "\"}").status()).isEqualTo(202);
        }
        for (SimulatedRegistry r : List.of(east, west)) {
            String filter = "/api/marketplace?limit=1&registryUrl=" + enc(r.baseUrl());
            api.awaitCatalog(r.name() + " indexed", Duration.ofSeconds(120),
                    any -> api.get(filter).body().get("total").asLong() == r.size());
        }
        browser = BrowserPages.launch();
    }

    @AfterAll
    void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void theMarketplaceIsServedAtItsAddressAndTheRootLeadsThere() {
        BrowserPages.Watched watched = browser.open(ColorScheme.LIGHT);
        Page page = watched.page();
        com.microsoft.playwright.Response loaded = page.navigate(stack.apiUrl() + "/");
        assertThat(page.url()).isEqualTo(stack.apiUrl() + "/marketplace");
        assertThat(loaded.headers().get("content-security-policy")).contains("script-src 'self'");
        assertThat(page.locator("h1")).hasText("Marketplace");
        assertThat(page.getByTestId("marketplace-search-input")).isVisible();
        assertThat(page.locator("#status")).containsText("Showing " + PAGE + " of");
        assertThat(eastPill(page)).hasText("Page East · " + east.size() + " agents");
        assertThat(page.locator("#built")).containsText("Index built");
        assertThat(page.locator("#tags .tag").first()).isVisible();
        watched.assertAccessible();
        watched.assertNoErrors();

        // a phone's width: one column, nothing wider than the screen
        page.setViewportSize(375, 740);
        page.reload();
        assertThat(page.locator("#grid .card:not(.skeleton)").first()).isVisible();
        assertThat(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")).isEqualTo(true);
        page.locator("#grid .card-link").first().click();
        assertThat(page.locator("#agent-skills")).isVisible();
        assertThat(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")).isEqualTo(true);
        watched.assertNoErrors();
        watched.close();
    }

    @Test
    void theCatalogAndAnAgentFitAPhoneAndAWideScreenInLightAndDark() {
        for (int[] size : new int[][] {{375, 740}, {1920, 1080}}) {
            for (ColorScheme scheme : List.of(ColorScheme.LIGHT, ColorScheme.DARK)) {
                BrowserPages.Watched watched = browser.open(scheme, size[0], size[1]);
                Page page = watched.page();
                page.navigate(stack.apiUrl() + "/marketplace?registryUrl=" + enc(west.baseUrl()));
                assertThat(page.locator("#grid .card:not(.skeleton)")).hasCount(west.size());
                assertThat(page.locator("#tags .tag").first()).isVisible();
                watched.assertFitsTheWidth();
                for (Locator control : List.of(page.locator("#show-login"), page.getByTestId("marketplace-search-input"),
                        page.locator("#sort"), page.locator("#verified"), page.locator("#view-list"),
                        eastPill(page), page.locator("#tags .tag").first(), page.locator("#grid .card-link").last())) {
                    watched.assertReachable(control);
                }
                watched.assertAccessible();

                page.locator("#grid .card-link").first().click();
                assertThat(page.locator("#agent-skills .skill").first()).isVisible();
                page.locator("summary", new Page.LocatorOptions().setHasText("Registry record")).click();
                page.locator("summary", new Page.LocatorOptions().setHasText("Agent Card")).click();
                assertThat(page.locator("#raw-card")).containsText("\"skills\"");
                watched.assertFitsTheWidth();
                for (Locator control : List.of(page.locator("#back-link"), page.locator("#show-login"),
                        page.locator("#agent-links a").first(), page.locator("#raw-card"))) {
                    watched.assertReachable(control);
                }
                watched.assertAccessible();
                watched.assertNoErrors();
                watched.close();
            }
        }
    }

    @Test
    void scrollingToTheEndLoadsEveryAgentExactlyOnce() {
        BrowserPages.Watched watched = browser.open(ColorScheme.LIGHT);
        Page page = watched.page();
        String filter = "registryUrl=" + enc(east.baseUrl());
        page.navigate(stack.apiUrl() + "/marketplace?" + filter);
        Locator cards = page.locator("#grid .card:not(.skeleton)");
        assertThat(cards).hasCount(PAGE);
        int total = east.size();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (cards.count() < total && System.nanoTime() < deadline) {
            page.mouse().wheel(0, 20_000);
            page.waitForTimeout(150);
        }
        assertThat(page.locator("#status")).hasText("Showing " + total + " of " + total + " agents");
        assertThat(page.locator("#load-more")).isHidden();

        List<String> shown = keys(page);
        List<String> expected = api.allAgents(filter).stream().map(CatalogPageE2EIT::key).toList();
        assertThat(new HashSet<>(shown)).as("no agent twice").hasSize(shown.size());
        assertThat(shown).containsExactlyElementsOf(expected);

        // the agent whose name is markup shows it as text: nothing of it ran or became an element
        assertThat(page.locator("#grid .card-link", new Page.LocatorOptions().setHasText(HOSTILE_NAME))).hasCount(1);
        assertThat(page.evaluate("() => window.__injected === undefined && !document.querySelector('#grid img[src=x]')"))
                .isEqualTo(true);
        watched.assertNoErrors();
        watched.close();
    }

    @Test
    void theLoadMoreButtonBringsTheNextPage() {
        BrowserPages.Watched watched = browser.open(ColorScheme.LIGHT);
        Page page = watched.page();
        page.navigate(stack.apiUrl() + "/marketplace?view=list&registryUrl=" + enc(east.baseUrl()));
        assertThat(page.locator("#grid.list .card:not(.skeleton)")).hasCount(PAGE);
        // Scrolling to the button would load the next page by itself (that is the infinite scroll, tested
        // above): the button is for whoever does not scroll, so it is pressed where it is.
        page.locator("#load-more").dispatchEvent("click");
        assertThat(page.locator("#grid .card:not(.skeleton)")).hasCount(2 * PAGE);
        assertThat(keys(page)).containsExactlyElementsOf(
                firstKeys("registryUrl=" + enc(east.baseUrl()), 2 * PAGE));
        watched.assertNoErrors();
        watched.close();
    }

    @Test
    void theKeyboardReachesEveryControlWithAVisibleFocus() {
        BrowserPages.Watched watched = browser.open(ColorScheme.LIGHT);
        Page page = watched.page();
        page.navigate(stack.apiUrl() + "/marketplace?registryUrl=" + enc(west.baseUrl()));
        assertThat(page.locator("#grid .card:not(.skeleton)")).hasCount(west.size());
        page.keyboard().press("Tab");
        assertThat(page.locator(".skip")).isFocused();
        page.getByTestId("marketplace-search-input").focus();
        List<String> reached = new ArrayList<>();
        for (int i = 0; i < 100 && !reached.contains("card-link"); i++) {
            page.keyboard().press("Tab");
            reached.add((String) page.evaluate("() => { const a = document.activeElement;"
                    + " return a.id || a.className.split(' ')[0]; }"));
            // the focus can be seen: an outline is drawn around whatever has it
            assertThat(page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")).isNotEqualTo("none");
        }
        assertThat(reached).containsSubsequence("sort", "view-grid", "view-list", "pill", "tag", "card-link");
        // a tag chip toggles with the keyboard
        page.locator("#tags .tag").first().focus();
        page.keyboard().press("Space");
        page.waitForURL(u -> u.contains("tags="));
        assertThat(page.locator("#tags .tag[aria-pressed=true]")).hasCount(1);
        assertThat(page.locator("#tags .tag[aria-pressed=true]")).isFocused();
        // and a card opens with Enter
        page.locator("#grid .card-link").first().focus();
        page.keyboard().press("Enter");
        page.waitForURL(u -> u.contains("/marketplace/"));
        assertThat(page.locator("#agent-name")).isVisible();
        watched.assertNoErrors();
        watched.close();
    }

    @Test
    void filtersAndSortShowWhatTheApiAnswersAndLiveInTheAddress() {
        BrowserPages.Watched watched = browser.open(ColorScheme.LIGHT);
        Page page = watched.page();
        page.navigate(stack.apiUrl() + "/marketplace");
        expectGrid(page, "sort=name");

        // a registry pill
        eastPill(page).click();
        String registry = "registryUrl=" + enc(east.baseUrl());
        page.waitForURL(u -> u.contains("registryUrl="));
        expectGrid(page, registry);

        // a search within it: the first word of an agent's name
        SimulatedAgent target = east.agents().get(17);
        String word = target.name().split(" ")[0];
        // ranked by relevance: the facets are asked for the agents holding the words
        page.waitForRequest(r -> r.url().contains("/api/marketplace/tags?") && r.url().contains("match=words"),
                () -> page.getByTestId("marketplace-search-input").fill(word));
        page.waitForURL(u -> u.contains("q="));
        String searched = registry + "&q=" + enc(word);
        expectGrid(page, searched + BY_RELEVANCE);

        // a tag chip, with the count the facets answer
        String tag = target.tags().get(0);
        if (page.locator("#tag-search").isVisible()) {
            page.locator("#tag-search").fill(tag); // many tags: the chip may only show when looked for
        }
        Locator chip = page.locator("#tags .tag[data-tag=\"" + tag + "\"]");
        long count = facetCount(searched + "&match=words", tag); // the list is ranked: its agents hold the words
        assertThat(chip.locator(".count")).hasText(String.valueOf(count));
        chip.click();
        page.waitForURL(u -> u.contains("tags="));
        String tagged = searched + "&tags=" + enc(tag);
        expectGrid(page, tagged + BY_RELEVANCE);
        assertThat(keys(page)).contains(keyOf(target));

        // sort by handle
        page.locator("#sort").selectOption("handle");
        page.waitForURL(u -> u.contains("sort=handle"));
        expectGrid(page, tagged + "&sort=handle");
        List<String> sortedByHandle = keys(page);

        // a reload restores every control and the same grid
        page.reload();
        assertThat(page.getByTestId("marketplace-search-input")).hasValue(word);
        assertThat(page.locator("#sort")).hasValue("handle");
        assertThat(page.locator("#tags .tag[data-tag=\"" + tag + "\"]")).hasAttribute("aria-pressed", "true");
        assertThat(page.locator("#registry-pills .pill[aria-pressed=true]")).hasText("Page East · " + east.size() + " agents");
        expectGrid(page, tagged + "&sort=handle");
        assertThat(keys(page)).isEqualTo(sortedByHandle);

        // back and forward walk the same views
        page.goBack();
        assertThat(page.locator("#sort")).hasValue("relevance");
        expectGrid(page, tagged + BY_RELEVANCE);
        page.goBack();
        assertThat(page.locator("#tags .tag[aria-pressed=true]")).hasCount(0);
        expectGrid(page, searched + BY_RELEVANCE);
        page.goForward();
        expectGrid(page, tagged + BY_RELEVANCE);

        // Esc clears the search (and the address follows)
        page.getByTestId("marketplace-search-input").press("Escape");
        page.waitForURL(u -> !u.contains("q="));
        expectGrid(page, registry + "&tags=" + enc(tag));
        watched.assertAccessible();
        watched.assertNoErrors();
        watched.close();
    }

    @Test
    void aTypedSearchRanksTheAgentItNamesFirstAndMarksTheWords() {
        BrowserPages.Watched watched = browser.open(ColorScheme.LIGHT);
        Page page = watched.page();
        page.navigate(stack.apiUrl() + "/marketplace");
        expectGrid(page, "sort=name");
        // the words in another order, the last one still being typed
        page.getByTestId("marketplace-search-input").pressSequentially("oracle quantum weath");
        page.waitForURL(u -> u.contains("q=oracle+quantum+weath"));
        assertThat(page.locator("#sort")).hasValue("relevance");
        Locator first = page.locator("#grid .card:not(.skeleton)").first();
        assertThat(first).hasAttribute("data-handle", "relevance-probe");
        assertThat(first.locator(".card-link mark")).hasText(new String[]{"Quantum", "Weath", "Oracle"});
        assertThat(first.locator(".card-link")).hasText(RANKED_NAME);

        // Name order is one choice away, and the address keeps it
        page.locator("#sort").selectOption("name");
        page.waitForURL(u -> u.contains("sort=name"));
        expectGrid(page, "q=" + enc("oracle quantum weath") + "&sort=name");
        watched.assertAccessible();
        watched.assertNoErrors();
        watched.close();
    }

    @Test
    void theDetailPageShowsSkillsLinksAndProvenance() {
        SimulatedAgent target = east.agents().get(5);
        String registryId = api.allAgents("registryUrl=" + enc(east.baseUrl()) + "&q=" + enc(target.handle())).stream()
                .filter(a -> a.get("handle").asString().equals(target.handle())).findFirst().orElseThrow()
                .get("registryId").asString();
        JsonNode detail = api.get("/api/marketplace/agent?registryId=" + registryId + "&handle=" + enc(target.handle())).body();
        JsonNode agent = detail.get("data");

        BrowserPages.Watched watched = browser.open(ColorScheme.LIGHT);
        Page page = watched.page();
        page.navigate(stack.apiUrl() + "/marketplace?q=" + enc(target.handle()));
        page.locator("#grid .card[data-handle=\"" + target.handle() + "\"] .card-link").click();
        page.waitForURL(u -> u.contains("/marketplace/" + registryId + "/"));
        assertThat(page.locator("h1")).hasText(agent.get("name").asString());
        assertThat(page.locator("#agent-handle")).hasText(target.handle());

        List<String> skillNames = new ArrayList<>();
        agent.get("skills").forEach(s -> skillNames.add(s.has("name") ? s.get("name").asString() : s.get("id").asString()));
        assertThat(skillNames).isNotEmpty();
        assertThat(page.locator("#agent-skills .skill h3")).hasText(skillNames.toArray(String[]::new));
        JsonNode firstSkillTags = agent.get("skills").get(0).get("tags");
        if (!firstSkillTags.isEmpty()) {
            assertThat(page.locator("#agent-skills .skill").first().locator(".chips li").first())
                    .hasText(firstSkillTags.get(0).asString());
        }

        Locator links = page.locator("#agent-links a");
        assertThat(links.first()).isVisible();
        for (int i = 0; i < links.count(); i++) {
            assertThat(links.nth(i).getAttribute("href")).startsWith("http");
            assertThat(links.nth(i).getAttribute("rel")).isEqualTo("noopener noreferrer");
        }
        assertThat(page.locator("#agent-links a[href=\"" + agent.get("agentCardUrl").asString() + "\"]")).hasCount(1);
        if (agent.hasNonNull("documentationUrl")) {
            assertThat(page.locator("#agent-links a[href=\"" + agent.get("documentationUrl").asString() + "\"]")).hasCount(1);
        }

        Locator provenance = page.locator("#agent-provenance");
        assertThat(provenance).containsText("Page East");
        assertThat(provenance).containsText(detail.get("sync").get("registrySyncStatus").asString());
        assertThat(provenance).containsText("Fetched at");
        JsonNode proof = agent.get("proof");
        if (proof != null && proof.has("status") && proof.get("status").asString().equals("valid")) {
            assertThat(page.locator("#agent-proof .badge")).hasText("Verified");
        }
        page.locator("summary", new Page.LocatorOptions().setHasText("Registry record")).click();
        assertThat(page.locator("#raw-record")).containsText("\"agentCardUrl\"");
        assertThat(page.locator("#raw-card")).containsText("\"skills\"");
        watched.assertAccessible();

        // back to the catalog, with its search
        page.goBack();
        assertThat(page.getByTestId("marketplace-search-input")).hasValue(target.handle());
        watched.assertNoErrors();
        watched.close();
    }

    @Test
    void anAgentWhoseHandleAPathCannotCarryOpensByTheQueryForm() {
        String handle = east.hostileHandles().stream().filter(h -> h.contains("%")).findFirst().orElseThrow();
        BrowserPages.Watched watched = browser.open(ColorScheme.LIGHT);
        Page page = watched.page();
        page.navigate(stack.apiUrl() + "/marketplace?registryUrl=" + enc(east.baseUrl()) + "&q=" + enc(handle));
        page.locator("#grid .card[data-handle=\"" + handle + "\"] .card-link").click();
        page.waitForURL(u -> u.contains("/marketplace/agent?"));
        assertThat(page.locator("#agent-handle")).hasText(handle);
        watched.assertNoErrors();
        watched.close();
    }

    @Test
    void aRegistryThatFailsShowsABannerAndItsErrorWhileItsAgentsStay() {
        SimulatedRegistry flaky = stack.simulator().addRegistry("flaky", 6, 9L);
        Api.Answer connected = api.asAdmin("POST", "/api/settings/registries",
                "{\"name\":\"Page Flaky\",\"url\":\"" + flaky.baseUrl() + "\"}");
        assertThat(connected.status()).isEqualTo(202);
        String id = connected.body().get("id").asString();
        String filter = "registryUrl=" + enc(flaky.baseUrl());
        api.awaitCatalog("flaky indexed", Duration.ofSeconds(120),
                any -> api.get("/api/marketplace?limit=1&" + filter).body().get("total").asLong() == flaky.size());
        flaky.setFault(Fault.status(Fault.Target.listing(), 404));
        try {
            assertThat(api.asAdmin("POST", "/api/marketplace/index-rebuild", "{\"registryIds\":[\"" + id + "\"]}")
                    .status()).isEqualTo(202);
            JsonNode source = awaitSource(flaky, s -> !s.get("ok").asBoolean());
            String error = source.get("error").asString();
            assertThat(error).isNotBlank();

            BrowserPages.Watched watched = browser.open(ColorScheme.LIGHT);
            Page page = watched.page();
            page.navigate(stack.apiUrl() + "/marketplace");
            assertThat(page.locator("#banner")).isVisible();
            assertThat(page.locator("#banner")).containsText("Page Flaky: " + error);
            Locator pill = page.locator("#registry-pills .pill", new Page.LocatorOptions().setHasText("Page Flaky · "));
            assertThat(pill).hasText("Page Flaky · " + error);
            assertThat(pill).hasClass("pill pill-failed");
            // a failed sync changes no row: its agents are still there
            pill.click();
            expectGrid(page, filter);
            assertThat(page.locator("#grid .card:not(.skeleton)")).hasCount(flaky.size());
            watched.assertAccessible();
            watched.assertNoErrors();
            watched.close();
        } finally {
            flaky.clearFaults();
            // leave the shared system as it was: the registry and its agents go
            assertThat(api.asAdmin("DELETE", "/api/settings/registries?id=" + id, null).status()).isEqualTo(202);
            api.awaitCatalog("flaky removed", Duration.ofSeconds(60),
                    any -> api.get("/api/marketplace?limit=1&" + filter).body().get("total").asLong() == 0);
        }
    }

    private JsonNode awaitSource(SimulatedRegistry registry, java.util.function.Predicate<JsonNode> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            for (JsonNode source : api.get("/api/marketplace?limit=1").body().get("meta").get("sources")) {
                if (source.get("url").asString().startsWith(registry.baseUrl())) {
                    last = source;
                    if (condition.test(source)) {
                        return source;
                    }
                }
            }
            SystemStack.sleep(250);
        }
        throw new AssertionError("registry " + registry.name() + " never reached the state; last: " + last);
    }

    @Test
    void anOperatorSignsInAndSeesRegistries() {
        BrowserPages.Watched watched = browser.open(ColorScheme.LIGHT);
        Page page = watched.page();
        page.navigate(stack.apiUrl() + "/marketplace");
        page.locator("#show-login").click();
        page.locator("#login-email").fill(SystemStack.ADMIN_EMAIL);
        page.locator("#login-password").fill(SystemStack.ADMIN_PASSWORD);
        page.locator("#login-form button[type=submit]").click();
        assertThat(page.locator("#operator-panel")).isVisible();
        assertThat(page.locator("#registry-rows")).containsText("Page East");
        // signing out is a change: it goes through only with the session's CSRF token, which the page sends
        page.locator("#logout-button").click();
        assertThat(page.locator("#show-login")).isVisible();
        page.reload();
        assertThat(page.locator("#show-login")).isVisible();
        assertThat(page.locator("#operator-panel")).isHidden();
        watched.assertNoErrors();
        watched.close();
    }

    /**
     * The catalog in light and dark, and an agent: the README's pictures. Written to target/screenshots,
     * and to MARKETPLACE_SCREENSHOTS_DIR when set (docs/screenshots to refresh the committed ones).
     */
    @Test
    void screenshots() throws Exception {
        List<Path> dirs = new ArrayList<>(List.of(Path.of("target", "screenshots")));
        String docs = System.getenv("MARKETPLACE_SCREENSHOTS_DIR");
        if (docs != null && !docs.isBlank()) {
            dirs.add(Path.of(docs));
        }
        String catalog = stack.apiUrl() + "/marketplace?registryUrl=" + enc(east.baseUrl());
        for (ColorScheme scheme : List.of(ColorScheme.LIGHT, ColorScheme.DARK)) {
            BrowserPages.Watched watched = browser.open(scheme);
            Page page = watched.page();
            page.navigate(catalog);
            assertThat(page.locator("#grid .card:not(.skeleton)")).hasCount(PAGE);
            shoot(page, dirs, "catalog-" + scheme.name().toLowerCase(Locale.ROOT) + ".png");
            if (scheme == ColorScheme.LIGHT) {
                page.locator("#grid .card-link").nth(3).click();
                assertThat(page.locator("#agent-skills .skill").first()).isVisible();
                shoot(page, dirs, "agent-detail.png");
            }
            watched.assertNoErrors();
            watched.close();
        }
    }

    private static void shoot(Page page, List<Path> dirs, String name) throws Exception {
        byte[] png = page.screenshot(new Page.ScreenshotOptions().setFullPage(false));
        for (Path dir : dirs) {
            Files.createDirectories(dir);
            Files.write(dir.resolve(name), png);
        }
    }

    private static Locator eastPill(Page page) {
        return page.locator("#registry-pills .pill", new Page.LocatorOptions().setHasText("Page East · "));
    }

    /** Waits until the grid shows the API's first page for these parameters, in its order. */
    private void expectGrid(Page page, String query) {
        List<String> expected = firstKeys(query, PAGE);
        JsonNode answer = api.get("/api/marketplace?limit=1&" + query).body();
        long total = answer.get("total").asLong();
        try {
            page.waitForCondition(() -> keys(page).equals(expected)
                            && page.locator("#status").textContent().startsWith("Showing " + expected.size() + " of "),
                    new Page.WaitForConditionOptions().setTimeout(20_000));
        } catch (RuntimeException e) {
            assertThat(keys(page)).as("grid for " + query).containsExactlyElementsOf(expected);
            throw e;
        }
        assertThat(page.locator("#status")).hasText("Showing " + expected.size() + " of " + total
                + (total == 1 ? " agent" : " agents"));
        if (expected.isEmpty()) {
            assertThat(page.locator("#empty-title")).hasText("No agents match");
        }
    }

    private List<String> firstKeys(String query, int limit) {
        List<String> keys = new ArrayList<>();
        String cursor = null;
        while (keys.size() < limit) {
            JsonNode body = api.get("/api/marketplace?limit=" + Math.min(PAGE, limit - keys.size()) + "&" + query
                    + (cursor == null ? "" : "&cursor=" + cursor)).body();
            body.get("data").forEach(a -> keys.add(key(a)));
            JsonNode next = body.get("meta").get("nextCursor");
            if (next == null || next.isNull()) {
                break;
            }
            cursor = next.asString();
        }
        return keys;
    }

    private long facetCount(String query, String tag) {
        for (JsonNode facet : api.get("/api/marketplace/tags?" + query).body().get("data")) {
            if (facet.get("tag").asString().equals(tag)) {
                return facet.get("count").asLong();
            }
        }
        throw new AssertionError("no facet for tag " + tag);
    }

    @SuppressWarnings("unchecked")
    private static List<String> keys(Page page) {
        return (List<String>) page.evalOnSelectorAll("#grid .card:not(.skeleton)",
                "cards => cards.map(c => c.dataset.registryId + '|' + c.dataset.handle)");
    }

    private String keyOf(SimulatedAgent agent) {
        return api.allAgents("registryUrl=" + enc(east.baseUrl()) + "&q=" + enc(agent.handle())).stream()
                .filter(a -> a.get("handle").asString().equals(agent.handle())).map(CatalogPageE2EIT::key)
                .findFirst().orElseThrow();
    }

    private static String key(JsonNode agent) {
        return agent.get("registryId").asString() + "|" + agent.get("handle").asString();
    }
}
