package io.marketplaceindex.e2e;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;
import io.marketplaceindex.simulator.Fault;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.marketplaceindex.e2e.Api.enc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator console in a real (headless) Chromium against the running system: an operator connects
 * a registry from the page, rebuilds it and watches the progress stream reach its end, the catalog
 * refreshes without a reload, a disabled registry's agents go and come back when it is enabled again;
 * an edit is applied and a registry that cannot be reached is refused with the server's reason; a
 * failing registry shows its error; admins manage users and tokens; a viewer is offered nothing the API
 * would refuse; the console fits a phone and a wide screen, light and dark.
 */
@ExtendWith(SystemStack.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorConsoleE2EIT {

    private static final Duration INDEXED = Duration.ofSeconds(120);
    /** For what waits on the worker or on the API's next poll, on a busy machine. */
    private static final double SLOW = 60_000;

    private BrowserPages browser;
    private SystemStack stack;
    private Api api;
    private final String operatorEmail = "operator-" + UUID.randomUUID() + "@example.org";
    private final String operatorPassword = "operator-password-" + UUID.randomUUID();

    @BeforeAll
    void startTheBrowser(SystemStack stack) {
        this.stack = stack;
        api = new Api(stack.apiUrl());
        assertThat(api.asAdmin("POST", "/api/settings/users", "{\"email\":\"" + operatorEmail + "\",\"password\":\""
                + operatorPassword + "\",\"role\":\"operator\"}").status()).isEqualTo(201);
        browser = BrowserPages.launch();
    }

    @AfterAll
    void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void anOperatorConnectsRebuildsAndDisablesARegistryAndTheCatalogFollowsWithoutAReload() throws Exception {
        SimulatedRegistry registry = stack.simulator().addRegistry("console-a", 7, 61L);
        String filter = "registryUrl=" + enc(registry.baseUrl());
        BrowserPages.Watched watched = browser.open(ColorScheme.LIGHT);
        Page page = watched.page();
        page.navigate(stack.apiUrl() + "/marketplace?q=Zephyrconsole");
        signIn(page, operatorEmail, operatorPassword);
        assertThat(page.locator("#registries")).isVisible();
        assertThat(page.locator("#users")).isHidden();
        assertThat(page.locator("#empty-title")).hasText("No agents match");
        page.evaluate("() => { window.__sameDocument = true; }");

        // connect: the health probe's answer is shown, and the registry joins the table
        page.locator("#registry-name").fill("Console A");
        page.locator("#registry-url").fill(registry.baseUrl());
        page.locator("#registry-submit").click();
        assertThat(page.locator("#registry-form-status")).containsText("Connected Console A: the health probe answered",
                new LocatorAssertions.ContainsTextOptions().setTimeout(SLOW));
        Locator row = page.locator("#registry-rows tr", new Page.LocatorOptions().setHasText("Console A"));
        assertThat(row).hasCount(1, new LocatorAssertions.HasCountOptions().setTimeout(SLOW));
        String id = row.getAttribute("data-registry-id");
        api.awaitCatalog("console-a indexed", INDEXED,
                any -> api.get("/api/marketplace?limit=1&" + filter).body().get("total").asLong() == registry.size());

        // a new agent at the registry: the rebuild brings it, followed live, and the catalog shows it
        registry.addAgent("zephyrconsole-probe", "Zephyrconsole Probe");
        row.locator("input.select").check();
        page.locator("#rebuild-selected").click();
        Locator line = page.locator("#rebuild-progress li[data-registry-id=\"" + id + "\"]");
        assertThat(line).isVisible(new LocatorAssertions.IsVisibleOptions().setTimeout(SLOW));
        assertThat(line).hasAttribute("data-status", "done", new LocatorAssertions.HasAttributeOptions().setTimeout(INDEXED.toMillis()));
        assertThat(line.locator(".reg-name")).hasText("Console A");
        assertThat(line.locator(".reg-detail")).containsText("1 added");
        assertThat(page.locator("#rebuild-result")).hasText("Rebuild finished: 1 done, 0 failed of 1 registry.",
                new LocatorAssertions.HasTextOptions().setTimeout(SLOW));
        assertThat(page.locator("#grid .card[data-handle=\"zephyrconsole-probe\"]")).isVisible(
                new LocatorAssertions.IsVisibleOptions().setTimeout(SLOW));
        assertThat(page.locator("#registry-pills .pill", new Page.LocatorOptions().setHasText("Console A · ")))
                .hasText("Console A · " + registry.size() + " agents", new LocatorAssertions.HasTextOptions().setTimeout(SLOW));
        assertThat(row.locator("td").nth(4)).hasText(String.valueOf(registry.size()),
                new LocatorAssertions.HasTextOptions().setTimeout(SLOW));
        shoot(page.locator("#console"), "operator-console.png");
        watched.assertAccessible();

        // disabled: its agents leave the catalog, still without a reload
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Disable Console A").setExact(true)).click();
        assertThat(page.locator("#registry-status")).hasText("Console A is disabled: its agents left the catalog.",
                new LocatorAssertions.HasTextOptions().setTimeout(SLOW));
        assertThat(page.locator("#grid .card[data-handle=\"zephyrconsole-probe\"]")).hasCount(0,
                new LocatorAssertions.HasCountOptions().setTimeout(SLOW));
        assertThat(page.locator("#empty-title")).hasText("No agents match");
        assertThat(api.get("/api/marketplace?limit=1&" + filter).body().get("total").asLong()).isZero();
        assertThat(row.locator("input.select")).isDisabled();

        // enabled again: it syncs, and its agents come back, again without a reload
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Enable Console A").setExact(true)).click();
        assertThat(page.locator("#registry-status")).hasText("Console A is enabled: its agents come back as it syncs.",
                new LocatorAssertions.HasTextOptions().setTimeout(SLOW));
        assertThat(page.locator("#grid .card[data-handle=\"zephyrconsole-probe\"]")).isVisible(
                new LocatorAssertions.IsVisibleOptions().setTimeout(SLOW));
        // the total by registry may trail the rows by an API poll: waited for, not read once
        api.awaitCatalog("console-a back", INDEXED,
                any -> api.get("/api/marketplace?limit=1&" + filter).body().get("total").asLong() == registry.size());
        assertThat(row.locator("input.select")).isEnabled();
        assertThat(page.evaluate("() => window.__sameDocument === true")).isEqualTo(true);
        watched.assertNoErrors();
        watched.close();
        assertThat(api.asAdmin("DELETE", "/api/settings/registries?id=" + id, null).status()).isEqualTo(202);
    }

    @Test
    void anOperatorEditsARegistryOnThePageAndAnUnreachableUrlShowsTheServersReasonInTheForm() throws Exception {
        SimulatedRegistry first = stack.simulator().addRegistry("console-edit", 5, 71L);
        // the registry moves host: the same handles at another address (an edit keeps the registry's rows)
        RegistrySimulator newHost = RegistrySimulator.start(SimulatorOptions.defaults());
        SimulatedRegistry moved = newHost.addRegistry("console-edit", 5, 71L);
        assertThat(moved.handles()).isEqualTo(first.handles());
        Api.Answer connected = api.asAdmin("POST", "/api/settings/registries",
                "{\"name\":\"Console Edit\",\"url\":\"" + first.baseUrl() + "\"}");
        assertThat(connected.status()).isEqualTo(202);
        String id = connected.body().get("id").asString();
        api.awaitCatalog("console-edit indexed", INDEXED, any -> api.get("/api/marketplace?limit=1&registryUrl="
                + enc(first.baseUrl())).body().get("total").asLong() == first.size());
        String unreachable = "http://127.0.0.1:" + closedPort() + "/registry";
        try {
            BrowserPages.Watched watched = browser.open(ColorScheme.LIGHT);
            Page page = watched.page();
            page.navigate(stack.apiUrl() + "/marketplace");
            signIn(page, operatorEmail, operatorPassword);
            page.evaluate("() => { window.__sameDocument = true; }");
            Locator status = page.locator("#registry-form-status");

            // connect to nothing: the form shows the API's own reason
            Api.Answer refused = api.asAdmin("POST", "/api/settings/registries",
                    "{\"name\":\"Nowhere\",\"url\":\"" + unreachable + "\"}");
            assertThat(refused.status()).isEqualTo(422);
            page.locator("#registry-name").fill("Nowhere");
            page.locator("#registry-url").fill(unreachable);
            page.locator("#registry-submit").click();
            assertThat(status).hasText("Not connected: " + refused.body().get("error").asString(),
                    new LocatorAssertions.HasTextOptions().setTimeout(SLOW));
            assertThat(status).hasClass(Pattern.compile("form-error"));
            assertThat(page.locator("#registry-rows tr", new Page.LocatorOptions().setHasText("Nowhere"))).hasCount(0);

            // an edit to nothing: the same, and the registry keeps its URL
            Locator row = page.locator("#registry-rows tr[data-registry-id=\"" + id + "\"]");
            row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Edit Console Edit")).click();
            assertThat(page.locator("#registry-form-title")).hasText("Edit Console Edit");
            assertThat(page.locator("#registry-url")).hasValue(first.baseUrl());
            assertThat(page.locator("#registry-name")).isFocused();
            Api.Answer refusedEdit = api.asAdmin("PATCH", "/api/settings/registries/" + id,
                    "{\"name\":\"Console Edit\",\"url\":\"" + unreachable + "\"}");
            assertThat(refusedEdit.status()).isEqualTo(422);
            page.locator("#registry-url").fill(unreachable);
            page.locator("#registry-submit").click();
            assertThat(status).hasText("Not saved: " + refusedEdit.body().get("error").asString(),
                    new LocatorAssertions.HasTextOptions().setTimeout(SLOW));
            assertThat(row.locator(".url")).hasText(first.baseUrl());
            // the only error answers of the page were those two refusals
            assertThat(watched.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).contains("422"));
            watched.problems().clear();

            // a real edit: new name and URL, applied, and the catalog follows without a reload
            page.locator("#registry-name").fill("Console Moved");
            page.locator("#registry-url").fill(moved.baseUrl());
            page.locator("#registry-submit").click();
            assertThat(status).hasText("Saved Console Moved: the health probe answered; the registry re-syncs with its new settings.",
                    new LocatorAssertions.HasTextOptions().setTimeout(SLOW));
            assertThat(page.locator("#registry-form-title")).hasText("Connect a registry");
            assertThat(row.locator("td.name strong")).hasText("Console Moved", new LocatorAssertions.HasTextOptions().setTimeout(SLOW));
            assertThat(row.locator(".url")).hasText(moved.baseUrl());
            Locator pill = page.locator("#registry-pills .pill", new Page.LocatorOptions().setHasText("Console Moved · "));
            assertThat(pill).hasText("Console Moved · " + moved.size() + " agents",
                    new LocatorAssertions.HasTextOptions().setTimeout(INDEXED.toMillis()));
            assertThat(pill).hasAttribute("data-registry-url", moved.baseUrl());
            // every row now names the new address: the new host served each record
            api.awaitCatalog("console-edit moved", INDEXED, any -> api.get("/api/marketplace?limit=1&registryUrl="
                    + enc(moved.baseUrl())).body().get("total").asLong() == moved.size());
            assertThat(moved.stats().records()).isEqualTo(moved.size());
            assertThat(page.evaluate("() => window.__sameDocument === true")).isEqualTo(true);
            watched.assertAccessible();
            watched.assertNoErrors();
            watched.close();
        } finally {
            assertThat(api.asAdmin("DELETE", "/api/settings/registries?id=" + id, null).status()).isEqualTo(202);
            newHost.close();
        }
    }

    @Test
    void theConsoleFitsAPhoneAndAWideScreenInLightAndDark() {
        SimulatedRegistry registry = stack.simulator().addRegistry("console-fit", 3, 79L);
        Api.Answer connected = api.asAdmin("POST", "/api/settings/registries",
                "{\"name\":\"Console Fit\",\"url\":\"" + registry.baseUrl() + "\"}");
        assertThat(connected.status()).isEqualTo(202);
        String id = connected.body().get("id").asString();
        try {
            for (int[] size : new int[][] {{375, 740}, {1920, 1080}}) {
                for (ColorScheme scheme : List.of(ColorScheme.LIGHT, ColorScheme.DARK)) {
                    BrowserPages.Watched watched = browser.open(scheme, size[0], size[1]);
                    Page page = watched.page();
                    page.navigate(stack.apiUrl() + "/marketplace");
                    signIn(page, SystemStack.ADMIN_EMAIL, SystemStack.ADMIN_PASSWORD);
                    Locator row = page.locator("#registry-rows tr[data-registry-id=\"" + id + "\"]");
                    assertThat(row).hasCount(1, new LocatorAssertions.HasCountOptions().setTimeout(SLOW));
                    assertThat(page.locator("#token-rows")).isAttached();
                    watched.assertFitsTheWidth();
                    for (Locator control : List.of(page.locator("#logout-button"), page.locator("#rebuild-all"),
                            row.locator("input.select"),
                            row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Edit Console Fit")),
                            row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Remove Console Fit")),
                            page.locator("#registry-url"), page.locator("#registry-submit"), page.locator("#user-email"),
                            page.locator("#token-name"), page.getByTestId("marketplace-search-input"))) {
                        watched.assertReachable(control);
                    }
                    watched.assertFitsTheWidth();
                    watched.assertAccessible();
                    watched.assertNoErrors();
                    watched.close();
                }
            }
        } finally {
            assertThat(api.asAdmin("DELETE", "/api/settings/registries?id=" + id, null).status()).isEqualTo(202);
        }
    }

    @Test
    void aFailingRegistryShowsItsErrorInTheProgressTheTableAndTheBannerAndIsRemovedAfterAConfirmation() {
        SimulatedRegistry flaky = stack.simulator().addRegistry("console-flaky", 6, 67L);
        Api.Answer connected = api.asAdmin("POST", "/api/settings/registries",
                "{\"name\":\"Console Flaky\",\"url\":\"" + flaky.baseUrl() + "\"}");
        assertThat(connected.status()).isEqualTo(202);
        String id = connected.body().get("id").asString();
        String filter = "registryUrl=" + enc(flaky.baseUrl());
        api.awaitCatalog("console-flaky indexed", INDEXED,
                any -> api.get("/api/marketplace?limit=1&" + filter).body().get("total").asLong() == flaky.size());
        flaky.setFault(Fault.status(Fault.Target.listing(), 404));
        try {
            BrowserPages.Watched watched = browser.open(ColorScheme.DARK);
            Page page = watched.page();
            page.navigate(stack.apiUrl() + "/marketplace?" + filter);
            signIn(page, SystemStack.ADMIN_EMAIL, SystemStack.ADMIN_PASSWORD);
            Locator row = page.locator("#registry-rows tr[data-registry-id=\"" + id + "\"]");
            row.locator("input.select").check();
            page.locator("#rebuild-selected").click();
            Locator line = page.locator("#rebuild-progress li[data-registry-id=\"" + id + "\"]");
            assertThat(line).hasAttribute("data-status", "failed", new LocatorAssertions.HasAttributeOptions().setTimeout(INDEXED.toMillis()));
            assertThat(line.locator(".reg-detail")).containsText("404");
            assertThat(page.locator("#rebuild-result")).hasText("Rebuild finished: 0 done, 1 failed of 1 registry.",
                    new LocatorAssertions.HasTextOptions().setTimeout(SLOW));
            // the catalog, refreshed at the end, names the failure; the table shows the error; the agents stay
            assertThat(page.locator("#banner")).containsText("Console Flaky: ",
                    new LocatorAssertions.ContainsTextOptions().setTimeout(SLOW));
            assertThat(row.locator(".error-text")).containsText("404", new LocatorAssertions.ContainsTextOptions().setTimeout(SLOW));
            assertThat(row.locator(".state-badge")).hasClass(Pattern.compile("state-failed"));
            assertThat(page.locator("#grid .card:not(.skeleton)")).hasCount(flaky.size());
            watched.assertAccessible();

            // removal names what goes, and a cancel keeps everything
            Locator remove = page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Remove Console Flaky"));
            remove.click();
            assertThat(page.locator("#confirm-dialog")).isVisible();
            assertThat(page.locator("#confirm-text")).containsText("its " + flaky.size() + " agents");
            assertThat(page.locator("#confirm-cancel")).isFocused();
            page.keyboard().press("Escape");
            assertThat(page.locator("#confirm-dialog")).isHidden();
            assertThat(row).hasCount(1);
            remove.click();
            page.locator("#confirm-ok").click();
            assertThat(page.locator("#registry-status")).hasText("Console Flaky is removed.",
                    new LocatorAssertions.HasTextOptions().setTimeout(SLOW));
            assertThat(row).hasCount(0);
            assertThat(page.locator("#grid .card:not(.skeleton)")).hasCount(0, new LocatorAssertions.HasCountOptions().setTimeout(SLOW));
            assertThat(api.get("/api/marketplace?limit=1&" + filter).body().get("total").asLong()).isZero();
            watched.assertNoErrors();
            watched.close();
        } finally {
            flaky.clearFaults();
        }
    }

    @Test
    void anAdminManagesUsersAndTokensAndATokenSecretIsShownOnce() throws Exception {
        BrowserPages.Watched watched = browser.open(ColorScheme.LIGHT);
        watched.context().grantPermissions(List.of("clipboard-read", "clipboard-write"));
        Page page = watched.page();
        page.navigate(stack.apiUrl() + "/marketplace");
        signIn(page, SystemStack.ADMIN_EMAIL, SystemStack.ADMIN_PASSWORD);

        String email = "new-" + UUID.randomUUID() + "@example.org";
        page.locator("#user-email").fill(email);
        page.locator("#user-password").fill("a-long-password-" + UUID.randomUUID());
        page.locator("#user-role").selectOption("viewer");
        page.locator("#user-form button[type=submit]").click();
        assertThat(page.locator("#user-status")).hasText("Created " + email + ".");
        Locator user = page.locator("#user-rows tr", new Page.LocatorOptions().setHasText(email));
        user.getByLabel("Role of " + email).selectOption("operator");
        assertThat(page.locator("#user-status")).hasText("Updated " + email + ".");
        assertThat(user.getByLabel("Role of " + email)).hasValue("operator");
        user.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Disable " + email)).click();
        assertThat(user.locator("td").nth(2)).hasText("disabled");
        String stored = null;
        for (var u : api.asAdmin("GET", "/api/settings/users", null).body().get("users")) {
            if (u.get("email").asString().equals(email)) {
                stored = u.get("role").asString();
            }
        }
        assertThat(stored).as("the role the API keeps").isEqualTo("operator");

        String name = "console-" + UUID.randomUUID();
        page.locator("#token-name").fill(name);
        page.locator("#token-role").selectOption("viewer");
        page.locator("#token-form button[type=submit]").click();
        assertThat(page.locator("#token-secret")).isVisible();
        String secret = page.locator("#token-secret-value").inputValue();
        assertThat(secret).isNotBlank();
        assertThat(page.locator("#token-rows")).not().containsText(secret);
        page.locator("#token-copy").click();
        assertThat(page.locator("#token-copy-status")).hasText("Copied.");
        assertThat(page.evaluate("() => navigator.clipboard.readText()")).isEqualTo(secret);
        assertThat(withToken(secret, "/api/settings/tokens")).isEqualTo(200);

        Locator token = page.locator("#token-rows tr", new Page.LocatorOptions().setHasText(name));
        token.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Revoke " + name)).click();
        assertThat(token.locator("td").nth(4)).hasText("revoked");
        assertThat(withToken(secret, "/api/settings/tokens")).isEqualTo(401);
        watched.assertAccessible();
        watched.assertNoErrors();
        watched.close();
    }

    @Test
    void aViewerIsOfferedNoOperatorAction() {
        String email = "viewer-" + UUID.randomUUID() + "@example.org";
        String password = "viewer-password-" + UUID.randomUUID();
        assertThat(api.asAdmin("POST", "/api/settings/users", "{\"email\":\"" + email + "\",\"password\":\""
                + password + "\",\"role\":\"viewer\"}").status()).isEqualTo(201);
        BrowserPages.Watched watched = browser.open(ColorScheme.LIGHT);
        Page page = watched.page();
        page.navigate(stack.apiUrl() + "/marketplace");
        signIn(page, email, password);
        assertThat(page.locator("#tokens")).isVisible();
        assertThat(page.locator("#registries")).isHidden();
        assertThat(page.locator("#users")).isHidden();
        assertThat(page.locator("#token-role option[value=operator]")).hasJSProperty("disabled", true);
        assertThat(page.locator("#token-role option[value=viewer]")).hasJSProperty("disabled", false);
        // nothing the page asked for was refused (a 403 would be recorded as an error answer). The page
        // keeps polling the catalog, so the network never idles: give the signed-in requests time to answer.
        assertThat(page.locator("#operator-user")).isVisible();
        page.waitForTimeout(2_000);
        watched.assertNoErrors();
        watched.close();
    }

    private static void signIn(Page page, String email, String password) {
        page.locator("#show-login").click();
        page.locator("#login-email").fill(email);
        page.locator("#login-password").fill(password);
        page.locator("#login-form button[type=submit]").click();
        assertThat(page.locator("#console")).isVisible(new LocatorAssertions.IsVisibleOptions().setTimeout(SLOW));
    }

    /** A port nothing listens on: bound, then let go. */
    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private int withToken(String token, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.apiUrl() + path))
                .header("Authorization", "Bearer " + token).GET().build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The README's picture of the console: to target/screenshots, and MARKETPLACE_SCREENSHOTS_DIR when set. */
    private static void shoot(Locator element, String name) throws Exception {
        List<Path> dirs = new ArrayList<>(List.of(Path.of("target", "screenshots")));
        String docs = System.getenv("MARKETPLACE_SCREENSHOTS_DIR");
        if (docs != null && !docs.isBlank()) {
            dirs.add(Path.of(docs));
        }
        byte[] png = element.screenshot();
        for (Path dir : dirs) {
            Files.createDirectories(dir);
            Files.write(dir.resolve(name), png);
        }
    }
}
