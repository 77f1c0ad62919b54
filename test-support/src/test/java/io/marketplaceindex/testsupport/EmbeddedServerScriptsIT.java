package io.marketplaceindex.testsupport;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scripts that start PostgreSQL and Redis from Maven artifacts where none answers (used by
 * scripts/local-stack and scripts/test), pointed at free ports: real servers that answer there,
 * and that stop leaves the ports free again and stops nothing it did not start.
 */
class EmbeddedServerScriptsIT {

    /** The first run of a checkout resolves the artifacts with Maven and unpacks the binaries. */
    private static final long SCRIPT_TIMEOUT_SECONDS = 300;

    @TempDir
    Path state;

    @Test
    void postgresStartsWithTheDatabaseOnAFreePortAndStopsKeepingItsData() throws Exception {
        int port = ServiceProcesses.freePort();
        Map<String, String> env = Map.of("POSTGRES_PORT", String.valueOf(port),
                "POSTGRES_STATE_DIR", state.resolve("postgres").toString(), "POSTGRES_DATABASES", "marketplace");
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/marketplace";
        long pid;
        try {
            script("postgres", "start", env).assertSucceeded();
            pid = Long.parseLong(Files.readAllLines(state.resolve("postgres/data/postmaster.pid")).get(0).trim());
            try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                 Statement st = connection.createStatement()) {
                st.execute("CREATE TABLE kept (id int)");
                try (ResultSet rs = st.executeQuery("""
                        SELECT current_database(), current_setting('listen_addresses'),
                               (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)""")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("marketplace");
                    assertThat(rs.getString(2)).isEqualTo("127.0.0.1");
                    assertThat(rs.getBoolean(3)).as("postgres is the administrator").isTrue();
                }
            }
            assertThat(script("postgres", "status", env).exitCode).isZero();
        } finally {
            script("postgres", "stop", env).assertSucceeded();
        }
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("the postmaster").isEmpty();
        assertThat(answers(port)).isFalse();
        assertThat(script("postgres", "status", env).exitCode).isEqualTo(3);

        // started again, the cluster is the one it left: local-stack's data survives a down and up
        try {
            script("postgres", "start", env).assertSucceeded();
            try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                 Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM kept")) {
                assertThat(rs.next()).isTrue();
            }
        } finally {
            script("postgres", "stop", env).assertSucceeded();
        }
        assertThat(answers(port)).isFalse();
    }

    @Test
    void redisStartsOnAFreePortAnswersAndStops() {
        int port = ServiceProcesses.freePort();
        Map<String, String> env = Map.of("REDIS_PORT", String.valueOf(port),
                "REDIS_STATE_DIR", state.resolve("redis").toString());
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
        try {
            script("redis", "start", env).assertSucceeded();
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                assertThat(connection.sync().ping()).isEqualTo("PONG");
                connection.sync().set("k", "v");
                assertThat(connection.sync().get("k")).isEqualTo("v");
            }
            assertThat(script("redis", "status", env).exitCode).isZero();
        } finally {
            client.shutdown();
            script("redis", "stop", env).assertSucceeded();
        }
        assertThat(answers(port)).isFalse();
        assertThat(state.resolve("redis/redis.pid")).doesNotExist();
        assertThat(script("redis", "status", env).exitCode).isEqualTo(3);
    }

    @Test
    void whereSomethingAnswersNothingIsStartedAndStopLeavesItAlone() throws Exception {
        try (ServerSocket occupant = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = occupant.getLocalPort();
            Map<String, String> redis = Map.of("REDIS_PORT", String.valueOf(port),
                    "REDIS_STATE_DIR", state.resolve("redis").toString());
            Map<String, String> postgres = Map.of("POSTGRES_PORT", String.valueOf(port),
                    "POSTGRES_STATE_DIR", state.resolve("postgres").toString());

            Result redisStart = script("redis", "start", redis);
            Result postgresStart = script("postgres", "start", postgres);
            redisStart.assertSucceeded();
            postgresStart.assertSucceeded();
            assertThat(redisStart.output).contains("something already answers");
            assertThat(postgresStart.output).contains("something already answers");
            assertThat(state.resolve("redis/redis.pid")).doesNotExist();
            assertThat(state.resolve("postgres/data")).doesNotExist();

            assertThat(script("redis", "stop", redis).output).contains("no server started by this script");
            assertThat(script("postgres", "stop", postgres).output).contains("no server started by this script");
            assertThat(answers(port)).as("the occupant still listens").isTrue();
        }
    }

    private record Result(int exitCode, String output) {
        void assertSucceeded() {
            assertThat(exitCode).as(output).isZero();
        }
    }

    /** scripts/{server}/server {command} with the given environment (and no inherited settings of those scripts). */
    private static Result script(String server, String command, Map<String, String> env) {
        Path root = repositoryRoot();
        ProcessBuilder builder = new ProcessBuilder(root.resolve("scripts/" + server + "/server").toString(), command)
                .directory(root.toFile()).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(key -> key.startsWith("POSTGRES_") || key.startsWith("REDIS_"));
        environment.putAll(new HashMap<>(env));
        try {
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(server + " " + command + " did not end:\n" + output);
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("scripts/postgres/server"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("scripts/postgres/server above the working directory").isNotNull();
        return dir;
    }
}
