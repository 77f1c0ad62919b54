package io.marketplaceindex.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A plain JDK client, as an indexer would use it: no redirects followed. */
final class Http {

    /**
     * How long a request may wait for an answer the test expects: a safety net, not a measurement, long
     * enough for a simulator in a cold JVM on a machine under heavy load (5 s has been seen to run out).
     */
    private static final Duration ANSWER = Duration.ofSeconds(30);

    final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    final JsonMapper json = JsonMapper.builder().build();

    /** Path-segment encoding done independently of the simulator's own encoder. */
    static String enc(String handle) {
        return URLEncoder.encode(handle, StandardCharsets.UTF_8).replace("+", "%20");
    }

    HttpResponse<String> get(String url, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(ANSWER).GET(), headers);
    }

    HttpResponse<String> post(String url, String body) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(ANSWER)
                .POST(HttpRequest.BodyPublishers.ofString(body)), "Content-Type", "application/json");
    }

    HttpResponse<String> delete(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(ANSWER).DELETE());
    }

    HttpResponse<String> send(HttpRequest.Builder builder, String... headers) {
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        try {
            return client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode json(HttpResponse<String> response) {
        return json.readTree(response.body());
    }
}
