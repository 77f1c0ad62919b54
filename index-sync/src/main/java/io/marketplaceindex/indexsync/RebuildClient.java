package io.marketplaceindex.indexsync;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** The two calls of the rebuild API: start one, read its progress. */
final class RebuildClient {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** An answer of the api-service; {@code body} is an empty object when it was not JSON. */
    record Answer(int status, JsonNode body) {
        String error() {
            JsonNode error = body.path("error");
            return error.isString() ? error.asString() : body.isEmpty() ? "(no details)" : body.toString();
        }
    }

    private final URI base;
    private final String token;
    private final JsonMapper mapper;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    RebuildClient(URI base, String token, JsonMapper mapper) {
        this.base = base;
        this.token = token;
        this.mapper = mapper;
    }

    /** @param registryIds null asks for every enabled registry */
    Answer start(List<UUID> registryIds, boolean force) throws IOException, InterruptedException {
        ObjectNode request = mapper.createObjectNode();
        if (registryIds != null) {
            registryIds.forEach(id -> request.withArray("registryIds").add(id.toString()));
        }
        request.put("force", force);
        return send(HttpRequest.newBuilder(resolve("/api/marketplace/index-rebuild"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(mapper.writeValueAsString(request))));
    }

    /** @param path the progress link of the accepted rebuild */
    Answer progress(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(resolve(path)).GET());
    }

    private URI resolve(String path) {
        String root = base.toString().replaceAll("/+$", "");
        return URI.create(root + path);
    }

    private Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json")
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body;
        try {
            body = response.body().isBlank() ? mapper.createObjectNode() : mapper.readTree(response.body());
        } catch (JacksonException e) {
            // a proxy's HTML error page: say so rather than fail on it
            body = mapper.createObjectNode().put("error", "not JSON: " + abbreviate(response.body()));
        }
        return new Answer(response.statusCode(), body);
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
    }
}
