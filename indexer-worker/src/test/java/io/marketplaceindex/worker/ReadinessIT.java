package io.marketplaceindex.worker;

import io.marketplaceindex.testsupport.HealthProbes;
import io.marketplaceindex.testsupport.ServiceProcesses;
import io.marketplaceindex.testsupport.StoppableServers;
import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker's readiness, on its management port as a platform probes it, follows PostgreSQL and
 * Kafka as each is stopped and started again; liveness never does. The worker talks to a Kafka broker
 * of this test's own and to PostgreSQL through a relay of its own; the shared servers are never stopped.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
class ReadinessIT {

    private static final StoppableServers.Stoppable KAFKA = StoppableServers.kafka();
    private static final StoppableServers.Stoppable POSTGRES;
    private static final String DATABASE;
    private static final TestServices.Login LOGIN;
    private static final String PREFIX = TestServices.uniqueTopicPrefix();
    private static final int MANAGEMENT_PORT = ServiceProcesses.freePort();
    private static final Duration DOWN = Duration.ofSeconds(45);
    private static final Duration BACK = Duration.ofSeconds(90);

    static {
        String database = TestServices.freshDatabase("worker_readiness");
        LOGIN = TestServices.workerLogin();
        URI server = URI.create(TestServices.postgresHostUrl().substring("jdbc:".length()));
        POSTGRES = StoppableServers.relayTo(server.getHost(), server.getPort());
        DATABASE = "jdbc:postgresql://127.0.0.1:" + POSTGRES.port() + "/" + database.substring(database.lastIndexOf('/') + 1);
        POSTGRES.start();
        KAFKA.start();
    }

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        registry.add("management.server.port", () -> MANAGEMENT_PORT);
        registry.add("spring.datasource.url", () -> DATABASE);
        registry.add("spring.datasource.username", LOGIN::user);
        registry.add("spring.datasource.password", LOGIN::password);
        registry.add("spring.flyway.user", TestServices::postgresUser);
        registry.add("spring.flyway.password", TestServices::postgresPassword);
        registry.add("spring.datasource.hikari.minimum-idle", () -> "1");
        // The "db" check waits for a connection at most this long; the default (30 s) would hold each probe.
        registry.add("spring.datasource.hikari.connection-timeout", () -> "2000");
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + KAFKA.port());
        registry.add("spring.kafka.consumer.group-id", () -> PREFIX + "indexer");
        registry.add("marketplace.kafka.topic-prefix", () -> PREFIX);
    }

    @AfterAll
    static void stopServers() {
        KAFKA.stop();
        POSTGRES.stop();
        TestServices.dropDatabase(TestServices.postgresHostUrl() + DATABASE.substring(DATABASE.lastIndexOf('/') + 1));
    }

    @Test
    void readinessFollowsPostgresAndKafkaAndLivenessNeither() {
        HealthProbes probes = new HealthProbes("http://127.0.0.1:" + MANAGEMENT_PORT + "/actuator");
        HealthProbes.Answer up = probes.awaitReadiness("UP", BACK, a -> a.status() == 200 && "UP".equals(a.overall()));
        assertThat(up.component("db")).isEqualTo("UP");
        assertThat(up.component("kafka")).isEqualTo("UP");
        probes.assertLive();

        HealthProbes.Answer noDatabase = probes.awaitDownAndBack(POSTGRES, "db", DOWN, BACK);
        assertThat(noDatabase.overall()).isEqualTo("DOWN");

        probes.awaitDownAndBack(KAFKA, "kafka", DOWN, BACK);
        probes.assertLive();
    }
}
