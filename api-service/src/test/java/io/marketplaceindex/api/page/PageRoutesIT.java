package io.marketplaceindex.api.page;

import io.marketplaceindex.api.ApiTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every address of the page answers the same document, also where the catalog is private (the page
 * holds no data; it asks for a sign-in), under the Content-Security-Policy that forbids inline code.
 */
@TestPropertySource(properties = {"marketplace.public-catalog=false", "marketplace.rate-limit.anonymous-per-minute=0",
        "marketplace.rate-limit.login-per-minute=0", "marketplace.rate-limit.login-failures-per-account-per-hour=0"})
class PageRoutesIT extends ApiTestSupport {

    @Test
    void theRootRedirectsToTheMarketplace() throws Exception {
        HttpResponse<String> root = get("/");
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location").orElseThrow()).endsWith("/marketplace");
        // a client that reads only the body (an HTTP/0.9 request) still learns where the page is
        assertThat(root.body()).contains("/marketplace");
    }

    @Test
    void theCatalogAndEveryAgentAddressServeThePage() throws Exception {
        String id = UUID.randomUUID().toString();
        for (String path : List.of("/marketplace", "/marketplace?q=x&tags=a,b&sort=handle", "/marketplace/" + id + "/plain",
                "/marketplace/" + id + "/with/slashes/in/it", "/marketplace/agent?registryId=" + id + "&handle=a%2Fb")) {
            HttpResponse<String> page = get(path);
            assertThat(page.statusCode()).as(path).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type").orElseThrow()).as(path).startsWith("text/html");
            assertThat(page.body()).as(path).contains("<h1 id=\"catalog-title\">Marketplace</h1>",
                    "data-testid=\"marketplace-search-input\"");
            assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                    .contains("script-src 'self'", "style-src 'self'").doesNotContain("unsafe");
            // the policy holds only because the page has no inline script, style or handler
            assertThat(page.body()).doesNotContainPattern("(?i)<script(?![^>]*\\bsrc=)[^>]*>")
                    .doesNotContainPattern("(?i)<style").doesNotContainPattern("(?i)\\sstyle=")
                    .doesNotContainPattern("(?i)\\son[a-z]+=");
        }
        // the data behind it is still refused without a sign-in
        assertThat(get("/api/marketplace?limit=1").statusCode()).isEqualTo(401);
        assertThat(get("/api/marketplace/" + id + "/plain").statusCode()).isEqualTo(401);
    }

    @Test
    void theApiDescriptionLeavesThePageOut() throws Exception {
        HttpResponse<String> docs = get("/v3/api-docs");
        assertThat(docs.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(docs.body()).get("paths").propertyNames())
                .contains("/api/marketplace").doesNotContain("/", "/marketplace", "/marketplace/agent");
    }

    @Test
    void onlyGetIsServedAndOtherAddressesStayRefused() throws Exception {
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/marketplace"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isBetween(400, 499);
        assertThat(get("/marketplaces").statusCode()).isBetween(400, 499);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
