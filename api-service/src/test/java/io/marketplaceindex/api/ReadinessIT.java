package io.marketplaceindex.api;

import io.marketplaceindex.testsupport.HealthProbes;
import io.marketplaceindex.testsupport.StoppableServers;
import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Readiness follows each dependency as it is stopped and started again, and liveness never does.
 * The service talks to a Redis server and a Kafka broker of this test's own, and to PostgreSQL through
 * a relay of its own whose stop makes the database unreachable; the shared servers are never stopped.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ReadinessIT {

    private static final StoppableServers.Stoppable REDIS = StoppableServers.redis();
    private static final StoppableServers.Stoppable KAFKA = StoppableServers.kafka();
    private static final StoppableServers.Stoppable POSTGRES;
    private static final String DATABASE;
    private static final TestServices.Login LOGIN;
    private static final String PREFIX = TestServices.uniqueTopicPrefix();
    private static final Duration DOWN = Duration.ofSeconds(45);
    private static final Duration BACK = Duration.ofSeconds(90);

    static {
        String database = TestServices.freshDatabase("api_readiness");
        LOGIN = TestServices.apiLogin();
        URI server = URI.create(TestServices.postgresHostUrl().substring("jdbc:".length()));
        POSTGRES = StoppableServers.relayTo(server.getHost(), server.getPort());
        DATABASE = "jdbc:postgresql://127.0.0.1:" + POSTGRES.port() + "/" + database.substring(database.lastIndexOf('/') + 1);
        POSTGRES.start();
        REDIS.start();
        KAFKA.start();
    }

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> DATABASE);
        registry.add("spring.datasource.username", LOGIN::user);
        registry.add("spring.datasource.password", LOGIN::password);
        registry.add("spring.datasource.hikari.maximum-pool-size", () -> "4");
        registry.add("spring.datasource.hikari.minimum-idle", () -> "1");
        // The "db" check waits for a connection at most this long; the default (30 s) would hold each probe.
        registry.add("spring.datasource.hikari.connection-timeout", () -> "2000");
        registry.add("spring.data.redis.url", () -> "redis://127.0.0.1:" + REDIS.port());
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + KAFKA.port());
        registry.add("marketplace.kafka.topic-prefix", () -> PREFIX);
        registry.add("marketplace.cache.key-prefix", () -> PREFIX);
        registry.add("marketplace.admin-token", () -> "test-admin-token-" + UUID.randomUUID());
        registry.add("marketplace.admin-email", () -> "ops@example.org");
        registry.add("marketplace.admin-password", () -> "correct horse battery staple");
    }

    @AfterAll
    static void stopServers() {
        KAFKA.stop();
        REDIS.stop();
        POSTGRES.stop();
        TestServices.dropDatabase(TestServices.postgresHostUrl() + DATABASE.substring(DATABASE.lastIndexOf('/') + 1));
    }

    @Value("${local.server.port}")
    int port;

    @Test
    void readinessFollowsEachDependencyAndLivenessNone() {
        HealthProbes probes = new HealthProbes("http://127.0.0.1:" + port + "/actuator");
        HealthProbes.Answer up = probes.awaitReadiness("UP", BACK, a -> a.status() == 200 && "UP".equals(a.overall()));
        assertThat(up.component("db")).isEqualTo("UP");
        assertThat(up.component("redis")).isEqualTo("UP");
        assertThat(up.component("kafka")).isEqualTo("UP");
        probes.assertLive();

        // Redis only caches: without it the replica still answers (from PostgreSQL), so it stays in rotation.
        REDIS.stop();
        HealthProbes.Answer degraded = probes.awaitReadiness("DEGRADED", DOWN, a -> "DEGRADED".equals(a.overall()));
        assertThat(degraded.status()).isEqualTo(200);
        assertThat(degraded.component("redis")).isEqualTo("DEGRADED");
        assertThat(degraded.body().path("components").path("redis").path("description").asString())
                .contains("PostgreSQL");
        probes.assertLive();
        REDIS.start();
        probes.awaitReadiness("UP again after Redis", BACK, a -> a.status() == 200 && "UP".equals(a.overall()));

        HealthProbes.Answer noDatabase = probes.awaitDownAndBack(POSTGRES, "db", DOWN, BACK);
        assertThat(noDatabase.overall()).isEqualTo("DOWN");

        probes.awaitDownAndBack(KAFKA, "kafka", DOWN, BACK);
        probes.assertLive();
    }
}
