package io.marketplaceindex.api.ratelimit;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.RegistryRef;
import io.marketplaceindex.api.ApiServiceApplication;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.cache.CatalogGeneration;
import io.marketplaceindex.testsupport.CatalogSeeder;
import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The anonymous limit of catalog reads: per client, shared by replicas through Redis, not for signed-in callers. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestPropertySource(properties = {"marketplace.rate-limit.anonymous-per-minute=60",
        "marketplace.rate-limit.login-per-minute=10",
        // Redis answering slowly would switch the limiter to its per-replica fallback (correctly, but
        // then the counters asserted here are not in Redis): generous timeouts on a loaded test machine
        "spring.data.redis.connect-timeout=10s", "spring.data.redis.timeout=5s"})
class RateLimitApiIT extends ApiTestSupport {

    /** Distinct per run: counters of an earlier run may still be in their window. */
    private static final String NET = "10." + (int) (Math.random() * 250) + "." + (int) (Math.random() * 250) + ".";

    @Autowired
    CatalogGeneration generation;
    @Autowired
    RateLimiter limiter;
    @Autowired
    RedisConnectionFactory redis;

    @BeforeAll
    void seed() {
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeder.clear();
            UUID id = seeder.registry("Limited", "https://limited.example.org");
            ObjectNode record = JSON.createObjectNode().put("handle", "limited-agent")
                    .put("agentCardUrl", "https://limited.example.org/cards/limited-agent");
            seeder.agents(id, List.of(new AgentNormalizer().normalize(record, null,
                    new RegistryRef(id.toString(), "Limited", "https://limited.example.org")).orElseThrow()));
        }
        generation.poll();
        // the first connection is the slow one; make it before anything is counted
        try (var connection = redis.getConnection()) {
            assertThat(connection.ping()).isEqualTo("PONG");
        }
    }

    /** Ten attempts a minute per client, right or wrong: past them even the right password waits. */
    @Test
    void theEleventhSignInAttemptOfAMinuteIsRefusedWith429() {
        String client = NET + "9";
        String wrong = "{\"email\":\"" + ADMIN_EMAIL + "\",\"password\":\"guess\"}";
        for (int i = 1; i <= 10; i++) {
            assertThat(send("POST", "/api/auth/login", wrong, "X-Forwarded-For", client).status()).as("attempt %d", i)
                    .isEqualTo(401);
        }
        Answer refused = send("POST", "/api/auth/login",
                "{\"email\":\"" + ADMIN_EMAIL + "\",\"password\":\"" + ADMIN_PASSWORD + "\"}", "X-Forwarded-For", client);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(Long.parseLong(header(refused, "Retry-After"))).isBetween(1L, 60L);
        assertThat(refused.body().get("error").asString()).contains("too many sign-in attempts");
        // another client is not affected
        assertThat(send("POST", "/api/auth/login",
                "{\"email\":\"" + ADMIN_EMAIL + "\",\"password\":\"" + ADMIN_PASSWORD + "\"}", "X-Forwarded-For",
                NET + "10").status()).isEqualTo(200);
    }

    @Test
    void theSixtyFirstAnonymousRequestOfAMinuteIsRefusedWith429() {
        String client = NET + "1";
        for (int i = 1; i <= 60; i++) {
            Answer answer = get("/api/marketplace?limit=1", "X-Forwarded-For", client);
            assertThat(answer.status()).as("request %d", i).isEqualTo(200);
            assertThat(header(answer, "X-RateLimit-Limit")).isEqualTo("60");
            assertThat(header(answer, "X-RateLimit-Remaining")).isEqualTo(String.valueOf(60 - i));
            assertThat(Long.parseLong(header(answer, "X-RateLimit-Reset"))).isBetween(1L, 60L);
        }
        Answer refused = get("/api/marketplace?limit=1", "X-Forwarded-For", client);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(Long.parseLong(header(refused, "Retry-After"))).isBetween(1L, 60L);
        assertThat(header(refused, "X-RateLimit-Remaining")).isEqualTo("0");
        assertThat(refused.body().get("error").asString()).contains("rate limit");

        // every catalog read counts, not only the list
        assertThat(get("/api/marketplace/anything", "X-Forwarded-For", client).status()).isEqualTo(429);

        // the counter lives in Redis, under the cache key prefix
        String counter = new StringRedisTemplate(redis).opsForValue().get(limiter.key(client));
        assertThat(Integer.parseInt(counter)).isGreaterThanOrEqualTo(61);
        assertThat(limiter.key(client)).startsWith(TOPIC_PREFIX);
    }

    @Test
    void clientsAreCountedSeparately() {
        String first = NET + "2";
        String second = NET + "3";
        for (int i = 0; i < 60; i++) {
            assertThat(get("/api/marketplace?limit=1", "X-Forwarded-For", first).status()).isEqualTo(200);
        }
        assertThat(get("/api/marketplace?limit=1", "X-Forwarded-For", first).status()).isEqualTo(429);
        Answer other = get("/api/marketplace?limit=1", "X-Forwarded-For", second);
        assertThat(other.status()).isEqualTo(200);
        assertThat(header(other, "X-RateLimit-Remaining")).isEqualTo("59");
        // behind a proxy that appends, the last address is the one the proxy saw: a forged first one changes nothing
        assertThat(get("/api/marketplace?limit=1", "X-Forwarded-For", "192.0.2.1, " + first).status()).isEqualTo(429);
    }

    @Test
    void authenticatedCallersAreNotLimited() {
        String client = NET + "4";
        for (int i = 0; i < 70; i++) {
            String[] headers = {"X-Forwarded-For", client, "Authorization", "Bearer " + ADMIN_TOKEN};
            Answer answer = get("/api/marketplace?limit=1", headers);
            assertThat(answer.status()).as("request %d", i).isEqualTo(200);
            assertThat(answer.raw().headers().firstValue("X-RateLimit-Limit")).isEmpty();
        }
        // and they did not use up the anonymous allowance of their address
        assertThat(header(get("/api/marketplace?limit=1", "X-Forwarded-For", client), "X-RateLimit-Remaining"))
                .isEqualTo("59");
    }

    @Test
    void twoReplicasShareTheLimitThroughRedis() throws Exception {
        String client = NET + "5";
        // command-line arguments: they take precedence over application.yml (default properties would not)
        try (ConfigurableApplicationContext replica = new SpringApplicationBuilder(ApiServiceApplication.class)
                .run(
                        "--server.port=0",
                        "--spring.datasource.url=" + DATABASE,
                        "--spring.datasource.username=" + TestServices.postgresUser(),
                        "--spring.datasource.password=" + TestServices.postgresPassword(),
                        "--spring.data.redis.url=" + TestServices.redisUrl(),
                        "--spring.kafka.bootstrap-servers=" + TestServices.kafkaBootstrap(),
                        "--marketplace.kafka.topic-prefix=" + TOPIC_PREFIX,
                        "--marketplace.cache.key-prefix=" + TOPIC_PREFIX,
                        "--spring.datasource.hikari.maximum-pool-size=2",
                        "--marketplace.rate-limit.anonymous-per-minute=60",
                        "--spring.data.redis.connect-timeout=10s", "--spring.data.redis.timeout=5s")) {
            int otherPort = ((WebServerApplicationContext) replica).getWebServer().getPort();
            for (int i = 0; i < 30; i++) {
                assertThat(get("/api/marketplace?limit=1", "X-Forwarded-For", client).status()).isEqualTo(200);
                assertThat(getOn(otherPort, client).statusCode()).isEqualTo(200);
            }
            HttpResponse<String> refused = getOn(otherPort, client);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(get("/api/marketplace?limit=1", "X-Forwarded-For", client).status()).isEqualTo(429);
        }
    }

    private HttpResponse<String> getOn(int otherPort, String client) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + otherPort + "/api/marketplace?limit=1"))
                .header("X-Forwarded-For", client).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String header(Answer answer, String name) {
        return answer.raw().headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name));
    }
}
