package io.marketplaceindex.e2e;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.marketplaceindex.testsupport.HealthProbes;
import io.marketplaceindex.testsupport.ProjectScripts;
import io.marketplaceindex.testsupport.ServiceProcesses;
import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's first command on a machine where nothing answers at the PostgreSQL and Redis
 * addresses it is given (free ports): {@code scripts/local-stack up} starts both from Maven artifacts,
 * the services come up ready on them, and {@code down} stops all it started and frees the ports.
 */
class LocalStackE2EIT {

    private static final Duration UP = Duration.ofMinutes(15);
    private static final Duration DOWN = Duration.ofMinutes(3);

    @Test
    void upStartsPostgresAndRedisWhereNoneAnswersAndDownStopsThem() throws Exception {
        Path work = Path.of("target", "local-stack-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
        int api = ServiceProcesses.freePort();
        int postgres = ServiceProcesses.freePort();
        int redis = ServiceProcesses.freePort();
        List<Integer> workers = List.of(ServiceProcesses.freePort(), ServiceProcesses.freePort());
        String prefix = TestServices.uniqueTopicPrefix();
        Map<String, String> env = new HashMap<>();
        env.put("MARKETPLACE_LOCAL_STATE_DIR", work.toString());
        env.put("SERVER_PORT", String.valueOf(api));
        env.put("MARKETPLACE_LOCAL_WORKER_PORTS", workers.get(0) + " " + workers.get(1));
        env.put("SPRING_DATASOURCE_URL", "jdbc:postgresql://127.0.0.1:" + postgres + "/marketplace");
        env.put("SPRING_DATASOURCE_USERNAME", "postgres");
        env.put("SPRING_DATASOURCE_PASSWORD", "");
        env.put("SPRING_DATA_REDIS_URL", "redis://127.0.0.1:" + redis);
        // the run's broker, with topics and a consumer group of this test's own
        env.put("SPRING_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap());
        env.put("MARKETPLACE_KAFKA_TOPIC_PREFIX", prefix);
        env.put("SPRING_KAFKA_CONSUMER_GROUP_ID", prefix + "indexer");
        Path log = work.resolveSibling(work.getFileName() + ".log");
        assertThat(answers(postgres) || answers(redis)).as("nothing answers there before").isFalse();

        try {
            // the jars of this build, never a build from inside the build
            ProjectScripts.bash("scripts/local-stack up --no-demo --skip-build", List.of(), env, log, UP);

            HealthProbes.Answer ready = new HealthProbes("http://127.0.0.1:" + api + "/actuator")
                    .awaitReadiness("UP", Duration.ofSeconds(60), a -> a.status() == 200 && "UP".equals(a.overall()));
            assertThat(ready.component("db")).isEqualTo("UP");
            assertThat(ready.component("redis")).isEqualTo("UP");
            try (Connection db = DriverManager.getConnection(env.get("SPRING_DATASOURCE_URL"), "postgres", "");
                 Statement st = db.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("migrations applied by the first worker").isPositive();
            }
            RedisClient client = RedisClient.create(env.get("SPRING_DATA_REDIS_URL"));
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                assertThat(connection.sync().ping()).isEqualTo("PONG");
            } finally {
                client.shutdown();
            }
        } finally {
            ProjectScripts.bash("scripts/local-stack down", List.of(), env, log, DOWN);
        }
        for (int port : List.of(api, postgres, redis, workers.get(0), workers.get(1))) {
            assertThat(answers(port)).as("port %d after down", port).isFalse();
        }
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
