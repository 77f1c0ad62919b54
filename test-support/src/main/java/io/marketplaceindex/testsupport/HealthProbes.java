package io.marketplaceindex.testsupport;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Asks a service's actuator for its health groups as a platform's prober would: one GET, the status
 * code and the body.
 *
 * @param base the actuator's base URL, e.g. {@code http://127.0.0.1:8081/actuator}
 */
public record HealthProbes(String base) {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One probe's answer. */
    public record Answer(int status, JsonNode body) {

        /** The status of a component of the group, or "absent". */
        public String component(String name) {
            JsonNode node = body.path("components").path(name).path("status");
            return node.isMissingNode() ? "absent" : node.asString();
        }

        /** The group's own status. */
        public String overall() {
            return body.path("status").asString();
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public Answer readiness() {
        return get("/health/readiness");
    }

    public Answer liveness() {
        return get("/health/liveness");
    }

    /**
     * Probes the readiness group until its answer matches, as a prober repeats.
     *
     * @return the matching answer
     * @throws AssertionError with the last answer when none matched in time
     */
    public Answer awaitReadiness(String what, Duration timeout, Predicate<Answer> condition) {
        return LastAnswer.await("readiness " + what, timeout, Duration.ofMillis(250), this::readiness, condition);
    }

    /**
     * Stops a dependency and waits for readiness to answer 503 with that component DOWN, liveness staying
     * UP meanwhile; then starts it again and waits for readiness to be UP.
     *
     * @return the DOWN answer, for further checks of it
     */
    public Answer awaitDownAndBack(StoppableServers.Stoppable dependency, String component, Duration down,
                                   Duration back) {
        dependency.stop();
        Answer refused = awaitReadiness("DOWN", down, a -> a.status() == 503);
        if (!"DOWN".equals(refused.component(component))) {
            throw new AssertionError("readiness is refused, but " + component + " is not DOWN: " + refused);
        }
        assertLive();
        dependency.start();
        awaitReadiness("UP again after " + component, back, a -> a.status() == 200 && "UP".equals(a.overall()));
        return refused;
    }

    /** Liveness answers 200 UP and depends on nothing: it has no components. */
    public void assertLive() {
        Answer live = liveness();
        if (live.status() != 200 || !"UP".equals(live.overall())) {
            throw new AssertionError("liveness " + live);
        }
        if (live.body().has("components")) {
            throw new AssertionError("liveness depends on nothing: " + live);
        }
    }

    private Answer get(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20)).GET().build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), JSON.readTree(response.body()));
        } catch (IOException e) {
            throw new AssertionError("GET " + base + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
