package io.marketplaceindex.e2e;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.ColorScheme;
import io.marketplaceindex.simulator.ProofDefect;
import io.marketplaceindex.simulator.SimulatedRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.marketplaceindex.e2e.Api.enc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Record proofs from a registry to the API: a registry signs its records with Ed25519, a few wrongly;
 * the workers verify them as they index them, and the API serves each agent's verdict and filters on it;
 * the page shows it as a badge on each card and on the detail page, and its Verified only filter shows
 * what verified=true answers.
 */
@ExtendWith(SystemStack.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecordProofE2EIT {

    private Api api;
    private SystemStack stack;
    private BrowserPages browser;
    private SimulatedRegistry signed;
    private String registryId;

    @BeforeAll
    void connectASigningRegistry(SystemStack stack) {
        this.stack = stack;
        api = new Api(stack.apiUrl());
        signed = stack.simulator().addRegistry("signed", 40, 41L);
        signed.signRecords(true);
        List<String> handles = signed.handles();
        signed.setProofDefect(handles.get(3), ProofDefect.TAMPERED);
        signed.setProofDefect(handles.get(9), ProofDefect.UNKNOWN_KID);
        signed.setProofDefect(handles.get(15), ProofDefect.UNSIGNED);
        signed.setProofDefect(handles.get(21), ProofDefect.UNSIGNED);
        Api.Answer answer = api.asAdmin("POST", "/api/settings/registries",
                "{\"name\":\"signed\",\"url\":\"" + signed.baseUrl() + "\"}");
        assertThat(answer.status()).isEqualTo(202);
        registryId = answer.body().get("id").asString();
    }

    @AfterAll
    void disconnect() {
        if (browser != null) {
            browser.close();
        }
        // the stack is shared: leave the catalog as the other classes expect it
        api.asAdmin("DELETE", "/api/settings/registries?id=" + registryId, null);
    }

    /** Each test waits for itself: JUnit runs them in no set order. */
    private void awaitIndexed() {
        api.awaitCatalog("the signed registry indexed", Duration.ofSeconds(120),
                page -> api.get("/api/marketplace?limit=1&registryUrl=" + enc(signed.baseUrl())).body()
                        .get("total").asLong() == signed.size());
    }

    @Test
    void theApiServesEachVerdictAndVerifiedTrueExactlyTheValidOnes() {
        awaitIndexed();

        Map<String, String> served = new HashMap<>();
        for (JsonNode agent : api.allAgents("registryUrl=" + enc(signed.baseUrl()))) {
            served.put(agent.get("handle").asString(), agent.get("proof").get("status").asString());
        }
        Map<String, String> expected = new HashMap<>();
        signed.handles().forEach(h -> expected.put(h, signed.expectedProofStatus(h)));
        assertThat(served).isEqualTo(expected);
        assertThat(expected.values()).contains("valid", "invalid", "unsigned");

        List<String> verified = api.allAgents("verified=true&registryUrl=" + enc(signed.baseUrl())).stream()
                .map(a -> a.get("handle").asString()).sorted().toList();
        assertThat(verified).isEqualTo(expected.entrySet().stream().filter(e -> e.getValue().equals("valid"))
                .map(Map.Entry::getKey).sorted().toList());
        assertThat(verified).hasSize(signed.size() - 4);

        JsonNode tampered = api.get("/api/marketplace/agent?registryId=" + registryId + "&handle="
                + enc(signed.handles().get(3))).body();
        assertThat(tampered.get("data").get("proof").get("reason").asString()).isEqualTo("signature does not verify");
        assertThat(api.get("/api/marketplace?verified=maybe").status()).isEqualTo(400);
    }

    @Test
    void cardsAndTheDetailPageShowEachVerdictAndVerifiedOnlyNarrowsTheGridAsTheApiDoes() {
        awaitIndexed();
        browser = browser == null ? BrowserPages.launch() : browser;
        String registry = "registryUrl=" + enc(signed.baseUrl());
        BrowserPages.Watched watched = browser.open(ColorScheme.LIGHT);
        Page page = watched.page();
        page.navigate(stack.apiUrl() + "/marketplace?" + registry);
        Locator cards = page.locator("#grid .card:not(.skeleton)");
        assertThat(cards).hasCount(signed.size());

        // every card's badge is its verdict: the page says what the index found, agent by agent
        Map<String, String> expected = new HashMap<>();
        signed.handles().forEach(h -> expected.put(h, BADGES.get(signed.expectedProofStatus(h))));
        assertThat(badgesByHandle(page)).isEqualTo(expected);
        String tampered = signed.handles().get(3);
        assertThat(badgeTitle(page, tampered)).isEqualTo("signature does not verify");
        watched.assertAccessible();

        // a tag of the agents whose proof fails: its chip counts them until Verified only is on
        Chip chip = chipOfAFailingAgentsTag(page, registry);
        // Verified only: the grid is what verified=true answers, in its order, and the address keeps it
        page.locator("#verified").check();
        page.waitForURL(u -> u.contains("verified=true"));
        assertThat(chip.count()).hasText(String.valueOf(chip.verified()));
        List<String> verified = api.allAgents(registry + "&verified=true").stream()
                .map(a -> a.get("handle").asString()).toList();
        assertThat(verified).hasSize(signed.size() - 4);
        page.waitForCondition(() -> shownHandles(page).equals(verified));
        assertThat(page.locator("#status")).hasText("Showing " + verified.size() + " of " + verified.size() + " agents");
        assertThat(page.locator("#grid .badge")).hasText(verified.stream().map(h -> "Verified").toArray(String[]::new));
        page.reload();
        assertThat(page.locator("#verified")).isChecked();
        page.waitForCondition(() -> shownHandles(page).equals(verified));
        page.goBack();
        assertThat(page.locator("#verified")).not().isChecked();
        assertThat(cards).hasCount(signed.size());

        // the detail page: a signed agent's badge and proof, then the tampered one's with its reason
        String valid = signed.handles().stream().filter(h -> signed.expectedProofStatus(h).equals("valid"))
                .findFirst().orElseThrow();
        openDetail(page, valid);
        assertThat(page.locator("#agent-proof .badge")).hasText("Verified");
        assertThat(page.locator("#agent-proof .badge")).hasClass("badge badge-valid");
        assertThat(page.locator("#agent-provenance")).containsText("valid");
        watched.assertAccessible();
        page.goBack();
        openDetail(page, tampered);
        assertThat(page.locator("#agent-proof .badge")).hasText("Invalid signature");
        assertThat(page.locator("#agent-proof .badge")).hasAttribute("title", "signature does not verify");
        assertThat(page.locator("#agent-provenance")).containsText("invalid · signature does not verify");
        watched.assertAccessible();
        watched.assertNoErrors();
        watched.close();
    }

    /** A tag chip's count, and what the facets count for it under verified=true. */
    private record Chip(Locator count, long verified) {
    }

    /** The chip of a tag whose count differs under verified=true, showing the count of all agents. */
    private Chip chipOfAFailingAgentsTag(Page page, String registry) {
        Map<String, Long> all = facetCounts(registry);
        Map<String, Long> verified = facetCounts(registry + "&verified=true");
        String tag = verified.keySet().stream().filter(t -> !verified.get(t).equals(all.get(t)))
                .sorted().findFirst().orElseThrow();
        if (page.locator("#tag-search").isVisible()) {
            page.locator("#tag-search").fill(tag); // many tags: the chip may only show when looked for
        }
        Locator count = page.locator("#tags .tag[data-tag=\"" + tag + "\"] .count");
        assertThat(count).hasText(String.valueOf(all.get(tag)));
        return new Chip(count, verified.get(tag));
    }

    /** The tag facets' counts under a query, as the page's chips show them. */
    private Map<String, Long> facetCounts(String query) {
        Map<String, Long> counts = new HashMap<>();
        api.get("/api/marketplace/tags?" + query).body().get("data")
                .forEach(f -> counts.put(f.get("tag").asString(), f.get("count").asLong()));
        return counts;
    }

    private static final Map<String, String> BADGES = Map.of(
            "valid", "Verified", "invalid", "Invalid signature", "unsigned", "Unsigned");

    /** Each card's handle and the text of its badge ("" for none). */
    @SuppressWarnings("unchecked")
    private static Map<String, String> badgesByHandle(Page page) {
        return (Map<String, String>) page.evaluate("() => Object.fromEntries([...document.querySelectorAll("
                + "'#grid .card:not(.skeleton)')].map(c => [c.dataset.handle, c.querySelector('.badge')?.textContent ?? '']))");
    }

    private static String badgeTitle(Page page, String handle) {
        return (String) page.evaluate("h => [...document.querySelectorAll('#grid .card')]"
                + ".find(c => c.dataset.handle === h).querySelector('.badge').title", handle);
    }

    @SuppressWarnings("unchecked")
    private static List<String> shownHandles(Page page) {
        return (List<String>) page.evalOnSelectorAll("#grid .card:not(.skeleton)", "cs => cs.map(c => c.dataset.handle)");
    }

    /** Follows the card's own link (handles may hold characters a selector would need escaped). */
    private static void openDetail(Page page, String handle) {
        assertThat(page.locator("#grid .card:not(.skeleton)").first()).isVisible();
        page.evaluate("h => [...document.querySelectorAll('#grid .card')].find(c => c.dataset.handle === h)"
                + ".querySelector('.card-link').click()", handle);
        assertThat(page.locator("#agent-handle")).hasText(handle);
    }
}
