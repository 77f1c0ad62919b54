package io.marketplaceindex.e2e;

import io.marketplaceindex.testsupport.LastAnswer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A small client of the running api-service, as an operator script would use it. */
final class Api {

    record Answer(int status, JsonNode body) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    Api(String base) {
        this.base = base;
    }

    /** A query parameter's value, percent-encoded (a space as %20, as the page writes it). */
    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET().build());
    }

    Answer asAdmin(String method, String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + SystemStack.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .build());
    }

    /** Every agent of the catalog, walked page by page with the cursor. */
    List<JsonNode> allAgents(String query) {
        List<JsonNode> agents = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = get("/api/marketplace?limit=200" + (query.isEmpty() ? "" : "&" + query)
                    + (cursor == null ? "" : "&cursor=" + cursor)).body();
            page.get("data").forEach(agents::add);
            JsonNode next = page.get("meta").get("nextCursor");
            cursor = next == null || next.isNull() ? null : next.asString();
        } while (cursor != null);
        return agents;
    }

    JsonNode awaitCatalog(String what, Duration timeout, Predicate<JsonNode> condition) {
        return LastAnswer.await(what, timeout, Duration.ofMillis(250), () -> get("/api/marketplace?limit=1").body(), page -> {
            // Only the index counts: while it is still empty the API answers from the registries
            // directly (meta.catalog "db_fallback"), which says nothing about what was indexed.
            JsonNode catalog = page == null || page.get("meta") == null ? null : page.get("meta").get("catalog");
            return catalog != null && "db".equals(catalog.asString()) && condition.test(page);
        });
    }

    /** Reads {@code path} as the admin until the answer matches; the failure names the last answer. */
    Answer awaitAdmin(String what, Duration timeout, String path, Predicate<Answer> condition) {
        return LastAnswer.await(what, timeout, Duration.ofMillis(250), () -> asAdmin("GET", path, null), condition);
    }

    private Answer send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body().isBlank() ? null : JSON.readTree(response.body()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
