package io.marketplaceindex.indexsync;

import io.marketplaceindex.rebuild.RebuildRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

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

    Answer start(RebuildRequest request) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(resolve("/api/marketplace/index-rebuild"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(mapper.writeValueAsString(request))));
    }

    /** @param path the progress link of the accepted rebuild */
    Answer progress(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(resolve(path)).GET());
    }

    /**
     * Follows the rebuild's server-sent events, handing over each registry event, until the end event or
     * the deadline (checked on each line: the api-service writes at least every 15 s).
     *
     * @return whether the end event came; false when the stream was refused, cut or outlived the deadline
     * (the caller polls the progress instead)
     */
    boolean follow(String path, Instant deadline, Consumer<JsonNode> registryEvent) throws InterruptedException {
        HttpResponse<InputStream> response;
        try {
            response = http.send(HttpRequest.newBuilder(resolve(path)).timeout(REQUEST_TIMEOUT)
                    .header("Accept", "text/event-stream")
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            return false;
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                return false;
            }
            String event = "message";
            for (String line = reader.readLine(); line != null && Instant.now().isBefore(deadline); line = reader.readLine()) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:") && "registry".equals(event)) {
                    registryEvent.accept(mapper.readTree(line.substring(5)));
                } else if (line.startsWith("data:") && "end".equals(event)) {
                    return true;
                }
            }
            return false;
        } catch (IOException | JacksonException e) {
            return false;
        }
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
