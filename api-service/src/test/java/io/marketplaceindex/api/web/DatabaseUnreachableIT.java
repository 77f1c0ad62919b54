package io.marketplaceindex.api.web;

import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL cannot be reached at all (nothing listens where the pool connects): every public read
 * answers 503 with Retry-After and a JSON reason, never 500 "internal error". The pool's wait for a
 * connection is short here so that each request fails fast.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = {"marketplace.rate-limit.anonymous-per-minute=0",
        "marketplace.rate-limit.login-per-minute=0", "spring.datasource.hikari.connection-timeout=250"})
class DatabaseUnreachableIT {

    private static final String PREFIX = TestServices.uniqueTopicPrefix();
    private static final int NOTHING_LISTENS = freePort();

    static {
        TestServices.requireKafka();
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Value("${local.server.port}")
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> "jdbc:postgresql://127.0.0.1:" + NOTHING_LISTENS + "/marketplace");
        registry.add("spring.datasource.username", TestServices::postgresUser);
        registry.add("spring.datasource.password", TestServices::postgresPassword);
        registry.add("spring.data.redis.url", TestServices::redisUrl);
        registry.add("spring.kafka.bootstrap-servers", TestServices::kafkaBootstrap);
        registry.add("marketplace.kafka.topic-prefix", () -> PREFIX);
        registry.add("marketplace.cache.key-prefix", () -> PREFIX);
    }

    @Test
    void readsAnswer503WithRetryAfterWhileTheDatabaseIsUnreachable() throws Exception {
        UUID registry = UUID.randomUUID();
        List<String> reads = List.of("/api/marketplace", "/api/marketplace?q=translate&limit=5",
                "/api/marketplace/tags", "/api/marketplace/changes", "/api/marketplace/changes/head",
                "/api/marketplace/agent?registryId=" + registry + "&handle=a", "/api/marketplace/" + registry + "/a");
        // twice: the first attempts start the pool, later ones find it without a connection
        for (int round = 0; round < 2; round++) {
            for (String path : reads) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(path).isEqualTo(503);
                assertThat(response.headers().firstValue("Retry-After")).as(path).hasValue("5");
                JsonNode body = JsonMapper.builder().build().readTree(response.body());
                assertThat(body.get("error").asString()).as(path).isEqualTo("the database is unavailable; retry later");
                assertThat(body.get("status").asInt()).isEqualTo(503);
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
