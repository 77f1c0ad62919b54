package io.marketplaceindex.testsupport;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * PostgreSQL, Redis and Kafka in containers, for a machine with a Docker engine and no services of its
 * own ({@link ServiceSelection} decides). Each starts on first use and serves every suite of the test
 * JVM; Testcontainers removes it when the JVM ends. The images are those the deployment runs
 * (docker-compose.yml).
 */
final class ServiceContainers {

    /** The superuser's password: the image refuses to start without one. */
    static final String POSTGRES_PASSWORD = "postgres";

    private ServiceContainers() {
    }

    /** Whether a Docker engine answers (Testcontainers' own lookup: DOCKER_HOST, the socket, its settings). */
    static boolean dockerAnswers() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    /** {@code jdbc:postgresql://host:port/}, superuser {@code postgres} with {@link #POSTGRES_PASSWORD}. */
    static String postgresHostUrl() {
        PostgreSQLContainer postgres = Postgres.CONTAINER;
        return "jdbc:postgresql://" + postgres.getHost() + ":" + postgres.getMappedPort(5432) + "/";
    }

    static String redisUrl() {
        GenericContainer<?> redis = Redis.CONTAINER;
        return "redis://" + redis.getHost() + ":" + redis.getMappedPort(6379);
    }

    static String kafkaBootstrap() {
        return Kafka.CONTAINER.getBootstrapServers();
    }

    // one holder class each: a suite that needs only PostgreSQL starts only PostgreSQL

    private static final class Postgres {
        static final PostgreSQLContainer CONTAINER = start(new PostgreSQLContainer("postgres:17")
                .withUsername("postgres").withPassword(POSTGRES_PASSWORD)
                // the test data is thrown away, and suites keep several pools open at once
                .withCommand("postgres", "-c", "fsync=off", "-c", "synchronous_commit=off",
                        "-c", "full_page_writes=off", "-c", "max_connections=400"));
    }

    private static final class Redis {
        static final GenericContainer<?> CONTAINER = start(new GenericContainer<>("redis:7").withExposedPorts(6379));
    }

    private static final class Kafka {
        static final KafkaContainer CONTAINER = start(new KafkaContainer("apache/kafka:4.1.2"));
    }

    private static <C extends GenericContainer<?>> C start(C container) {
        container.start();
        return container;
    }
}
