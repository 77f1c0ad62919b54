package io.marketplaceindex.api.rebuild;

import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.testsupport.CatalogSeeder;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The progress streams are bounded: so many at once per replica, so long each. */
@TestPropertySource(properties = {"marketplace.rebuild.events.max-streams=1",
        "marketplace.rebuild.events.max-duration=PT3S"})
class RebuildEventLimitsIT extends ApiTestSupport {

    @Test
    void oneStreamTooManyIsRefusedAndAStreamEndsAtItsMaximumDuration() throws Exception {
        UUID registry;
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            registry = seeder.registry("limits", "https://limits.example");
        }
        // no worker here: the rebuild stays queued, its stream would never end on its own
        String rebuildId = send("POST", "/api/marketplace/index-rebuild", "{\"registryIds\":[\"" + registry + "\"]}",
                admin()).body().get("rebuildId").asString();
        String path = "/api/marketplace/index-rebuild/" + rebuildId + "/events";

        long opened = System.nanoTime();
        HttpResponse<InputStream> first = open(path);
        assertThat(first.statusCode()).isEqualTo(200);

        Answer second = get(path, admin());
        assertThat(second.status()).isEqualTo(503);
        assertThat(second.raw().headers().firstValue("Retry-After")).isPresent();
        assertThat(second.body().get("error").asString()).contains("too many progress streams");

        String stream;
        try (InputStream body = first.body()) {
            stream = new String(body.readAllBytes(), StandardCharsets.UTF_8);
        }
        double seconds = (System.nanoTime() - opened) / 1e9;
        assertThat(seconds).as("ended at its maximum duration").isBetween(2.5, 15.0);
        assertThat(stream).contains("event:registry").contains("\"status\":\"queued\"").contains("event:timeout")
                .doesNotContain("event:end");

        // its slot is free again
        HttpResponse<InputStream> third = open(path);
        assertThat(third.statusCode()).isEqualTo(200);
        third.body().close();
    }

    private HttpResponse<InputStream> open(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    }
}
