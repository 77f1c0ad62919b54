package io.marketplaceindex.api;

import io.marketplaceindex.testsupport.CatalogSeeder;
import io.marketplaceindex.testsupport.TestServices;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The api-service on a random port against real PostgreSQL, Redis and Kafka. The suite shares
 * one fresh database (seeded directly, as the worker would have written it) and its own topics
 * and Redis key prefix.
 *
 * <p>The suites make many anonymous requests and sign in from one address, so the rate limits are
 * off here; a subclass turns them on with a {@code @TestPropertySource} of its own (which overrides
 * this one).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = {"marketplace.rate-limit.anonymous-per-minute=0",
        "marketplace.rate-limit.login-per-minute=0", "marketplace.rate-limit.login-failures-per-account-per-hour=0",
        // the scheduled producer would publish into the suites' topics on the hour: its own tests turn it on
        "marketplace.rebuild.cron=-", "marketplace.rebuild.ttl-check-interval=0"})
public abstract class ApiTestSupport {

    protected static final String ADMIN_TOKEN = "test-admin-token-" + java.util.UUID.randomUUID();
    protected static final String ADMIN_EMAIL = "ops@example.org";
    protected static final String ADMIN_PASSWORD = "correct horse battery staple";
    protected static final String TOPIC_PREFIX = TestServices.uniqueTopicPrefix();
    /** The registry-token key the service encrypts with. */
    protected static final String TOKEN_KEY = TestServices.newTokenKey("api-test");
    protected static final String DATABASE;
    /** The service's pool logs in as a reader, as in production; the tests' own statements run as the owner. */
    private static final TestServices.Login SERVICE_LOGIN;

    static {
        TestServices.requireKafka();
        DATABASE = TestServices.freshDatabase("api");
        SERVICE_LOGIN = TestServices.apiLogin();
    }

    protected static final JsonMapper JSON = CatalogSeeder.json();
    protected final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Value("${local.server.port}")
    protected int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> DATABASE);
        registry.add("spring.datasource.username", SERVICE_LOGIN::user);
        registry.add("spring.datasource.password", SERVICE_LOGIN::password);
        // several contexts stay cached during the suite: keep each one's share of the server small
        registry.add("spring.datasource.hikari.maximum-pool-size", () -> "4");
        registry.add("spring.datasource.hikari.minimum-idle", () -> "1");
        // a placeholder, so that a test class can point at another Redis with a plain test property
        registry.add("spring.data.redis.url", () -> "${marketplace.test.redis-url:" + TestServices.redisUrl() + "}");
        // The production budget (250ms) fails fast to PostgreSQL; on a loaded test machine the first
        // connection alone can take longer, and tests that assert cache hits would see "bypass".
        registry.add("spring.data.redis.connect-timeout", () -> "10s");
        registry.add("spring.data.redis.timeout", () -> "5s");
        registry.add("spring.kafka.bootstrap-servers", TestServices::kafkaBootstrap);
        registry.add("marketplace.kafka.topic-prefix", () -> TOPIC_PREFIX);
        registry.add("marketplace.cache.key-prefix", () -> TOPIC_PREFIX);
        registry.add("marketplace.registry.allow-private-addresses", () -> "true");
        registry.add("marketplace.admin-token", () -> ADMIN_TOKEN);
        // a placeholder, so that a test class can run without a key with a plain test property
        registry.add("marketplace.token-encryption.key", () -> "${marketplace.test.token-key:" + TOKEN_KEY + "}");
        registry.add("marketplace.admin-email", () -> ADMIN_EMAIL);
        registry.add("marketplace.admin-password", () -> ADMIN_PASSWORD);
    }

    public record Answer(int status, JsonNode body, HttpResponse<String> raw) {
    }

    protected Answer get(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build());
    }

    protected Answer send(String method, String path, String jsonBody, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(jsonBody))
                .header("Content-Type", "application/json");
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build());
    }

    /**
     * A new catalog generation, as a worker commit makes one: in the database first, then in this
     * replica's view. Advancing only the view would run it ahead of the database, and the cached contexts
     * of later test classes would then keep answering from what they knew at that generation.
     */
    protected static void newGeneration(io.marketplaceindex.api.cache.CatalogGeneration generation) {
        sql("UPDATE marketplace_catalog_state SET generation = generation + 1");
        generation.poll();
    }

    /**
     * Runs a statement on the test database as a writer (the API's own role may not write the index):
     * for state the seeder does not write, such as sources, tombstones and sync status.
     *
     * @return the first column of the first row, for statements that return one, else null
     */
    protected static Object sql(String statement, Object... params) {
        try (Connection connection = DriverManager.getConnection(DATABASE, TestServices.postgresUser(),
                TestServices.postgresPassword());
             PreparedStatement ps = connection.prepareStatement(statement)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            if (ps.execute()) {
                try (ResultSet rs = ps.getResultSet()) {
                    return rs.next() ? rs.getObject(1) : null;
                }
            }
            return null;
        } catch (SQLException e) {
            throw new IllegalStateException(statement + ": " + e.getMessage(), e);
        }
    }

    protected String[] admin() {
        return new String[]{"Authorization", "Bearer " + ADMIN_TOKEN};
    }

    protected URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private Answer send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body() == null || response.body().isBlank() ? null : JSON.readTree(response.body());
            return new Answer(response.statusCode(), body, response);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
