package io.marketplaceindex.api.docs;

import io.marketplaceindex.api.ApiTestSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ApiDocsIT extends ApiTestSupport {

    @Test
    void theOpenApiDocumentDescribesTheCatalogWithItsParametersAndLimits() {
        Answer answer = get("/v3/api-docs");
        assertThat(answer.status()).isEqualTo(200);
        JsonNode catalog = answer.body().get("paths").get("/api/marketplace").get("get");
        assertThat(catalog.get("tags").get(0).asString()).isEqualTo("catalog");
        assertThat(catalog.get("summary").asString()).isNotBlank();
        Map<String, JsonNode> parameters = new HashMap<>();
        catalog.get("parameters").forEach(p -> parameters.put(p.get("name").asString(), p));
        assertThat(parameters).containsKeys("limit", "offset", "sort", "q", "tags", "registryUrl", "cursor");
        assertThat(parameters.get("limit").get("schema").get("maximum").asInt()).isEqualTo(200);
        assertThat(parameters.get("limit").get("schema").get("default").asInt()).isEqualTo(50);
        assertThat(parameters.get("q").get("schema").get("maxLength").asInt()).isEqualTo(256);
        List<String> sorts = new ArrayList<>();
        parameters.get("sort").get("schema").get("enum").forEach(v -> sorts.add(v.asString()));
        assertThat(sorts).containsExactly("name", "handle", "relevance");
        assertThat(catalog.get("responses").has("400")).isTrue();
        assertThat(catalog.get("responses").get("429").get("headers").has("Retry-After")).isTrue();

        JsonNode paths = answer.body().get("paths");
        assertThat(paths.get("/api/marketplace/index-rebuild").get("post").get("security")).isNotEmpty();
        assertThat(paths.get("/api/settings/registries").get("post").get("responses").has("409")).isTrue();
        assertThat(paths.get("/api/settings/registries/{id}").get("patch").get("responses").has("422")).isTrue();
        assertThat(paths.get("/api/auth/login").get("post").get("tags").get(0).asString()).isEqualTo("auth");
        assertThat(answer.body().get("components").get("securitySchemes").has("bearerToken")).isTrue();
    }

    @Test
    void accountsAndTokensAreDescribedWithTheirRolesAndErrors() {
        JsonNode paths = get("/v3/api-docs").body().get("paths");
        JsonNode createUser = paths.get("/api/settings/users").get("post");
        assertThat(createUser.get("tags").get(0).asString()).isEqualTo("accounts");
        assertThat(createUser.get("description").asString()).contains("Needs the admin role");
        assertThat(createUser.get("security")).isNotEmpty();
        assertThat(createUser.get("responses").get("409").get("content").get("application/json").get("schema")
                .get("$ref").asString()).isEqualTo("#/components/schemas/Error");
        assertThat(paths.get("/api/settings/users").get("get").get("responses").has("403")).isTrue();
        JsonNode updateUser = paths.get("/api/settings/users/{id}").get("patch");
        assertThat(updateUser.get("responses").has("404")).isTrue();
        assertThat(updateUser.get("responses").get("409").get("description").asString()).contains("last enabled admin");

        JsonNode issue = paths.get("/api/settings/tokens").get("post");
        assertThat(issue.get("description").asString()).contains("Needs the viewer role").contains("no-store");
        assertThat(issue.get("responses").has("201")).isTrue();
        assertThat(issue.get("responses").get("403").get("description").asString()).contains("above the caller's own");
        assertThat(issue.get("requestBody").get("content").get("application/json").get("schema").get("properties")
                .get("expiresInDays").get("maximum").asInt()).isEqualTo(366);
        assertThat(paths.get("/api/settings/tokens").get("get").get("tags").get(0).asString()).isEqualTo("accounts");
        assertThat(paths.get("/api/settings/tokens/{id}").get("delete").get("responses").has("404")).isTrue();
    }

    @Test
    void rebuildAndRegistryAnswersAreDescribedFromTheirRecords() {
        JsonNode document = get("/v3/api-docs").body();
        JsonNode paths = document.get("paths");
        JsonNode rebuild = paths.get("/api/marketplace/index-rebuild").get("post");
        assertThat(rebuild.get("tags").get(0).asString()).isEqualTo("rebuild");
        assertThat(rebuild.get("description").asString()).contains("Needs the operator role");
        for (String status : new String[]{"400", "401", "403", "409", "503"}) {
            assertThat(rebuild.get("responses").get(status).get("content").get("application/json").get("schema")
                    .get("$ref").asString()).as(status).isEqualTo("#/components/schemas/Error");
        }
        JsonNode schemas = document.get("components").get("schemas");
        JsonNode accepted = schemas.get(schemaName(rebuild.get("responses").get("202")));
        assertThat(accepted.get("properties").has("rebuildId")).isTrue();
        JsonNode progress = schemas.get(schemaName(paths.get("/api/marketplace/index-rebuild/{rebuildId}").get("get")
                .get("responses").get("200")));
        assertThat(progress.get("properties").has("finished")).isTrue();
        JsonNode line = schemas.get(progress.get("properties").get("registries").get("items").get("$ref").asString()
                .replace("#/components/schemas/", ""));
        List<String> states = new ArrayList<>();
        line.get("properties").get("status").get("enum").forEach(v -> states.add(v.asString()));
        assertThat(states).contains("queued", "syncing", "ok", "unchanged", "skipped", "coalesced", "failed");
        assertThat(line.get("properties").has("detail")).isTrue();

        JsonNode connect = paths.get("/api/settings/registries").get("post");
        assertThat(connect.get("security")).isNotEmpty();
        assertThat(connect.get("responses").get("422").get("content").get("application/json").get("schema")
                .get("$ref").asString()).isEqualTo("#/components/schemas/Error");
        assertThat(schemas.get(schemaName(connect.get("responses").get("202"))).get("properties").has("commandId"))
                .isTrue();
        assertThat(schemas.get(schemaName(paths.get("/api/settings/registries").get("get").get("responses").get("200")))
                .get("properties").has("data")).isTrue();
    }

    private static String schemaName(JsonNode response) {
        JsonNode content = response.get("content");
        JsonNode media = content.has("application/json") ? content.get("application/json") : content.get("*/*");
        return media.get("schema").get("$ref").asString().replace("#/components/schemas/", "");
    }

    @Test
    void swaggerUiIsPublic() throws Exception {
        HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpResponse<String> page = following.send(HttpRequest.newBuilder(uri("/swagger-ui.html")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("swagger-ui");
    }
}
