package io.marketplaceindex.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Servers of a test's own, on free ports ({@link ServiceProcesses#freePort()}), that the test may stop
 * and start again on the same port to see what the application does without them: the one way the
 * integration and end-to-end tests get such servers. The shared servers are never touched.
 */
public final class StoppableServers {

    private StoppableServers() {
    }

    /** Something that can be stopped and started again on the same port. */
    public interface Stoppable extends AutoCloseable {
        int port();

        /** Starts it, or starts it again after {@link #stop()} with what it kept; nothing when it runs. */
        void start();

        /** Stops it; what it keeps (the data of PostgreSQL and Kafka) stays for the next start. */
        void stop();

        /** Stops it for good; a server with data deletes it. */
        @Override
        default void close() {
            stop();
        }
    }

    /** A Redis server of its own ({@link #redisServerBinary()}), in memory only, its output discarded. */
    public static Stoppable redis() {
        return new RedisServer(ServiceProcesses.freePort(), null);
    }

    /** A Redis server of its own, in memory only, its output appended to {@code log}. */
    public static Stoppable redis(Path log) {
        return new RedisServer(ServiceProcesses.freePort(), log.toAbsolutePath());
    }

    /**
     * A single-node Kafka broker of its own, started by {@code scripts/kafka/broker} with its state under
     * the repository's {@code target/test-kafka/}.
     */
    public static Stoppable kafka() {
        int port = ServiceProcesses.freePort();
        return kafka(ProjectScripts.root().resolve("target/test-kafka/" + port), port);
    }

    /** A single-node Kafka broker of its own with its state (and its scripts' log beside it) in {@code stateDir}. */
    public static Stoppable kafka(Path stateDir) {
        return kafka(stateDir, ServiceProcesses.freePort());
    }

    private static Stoppable kafka(Path stateDir, int port) {
        return new KafkaBroker(stateDir.toAbsolutePath(), port, ServiceProcesses.freePort());
    }

    /**
     * A PostgreSQL server of its own in {@code dir}, from the machine's PostgreSQL binaries with the stock
     * settings, started by the shell functions the benchmarks use ({@code scripts/lib/postgres.sh}).
     */
    public static Stoppable postgres(Path dir) {
        return new PostgresServer(dir.toAbsolutePath(), ServiceProcesses.freePort());
    }

    /**
     * A relay on a free port to a TCP server, as a database server's network address would behave:
     * stopped, the port refuses connections and every open one is cut; started, it relays again.
     */
    public static Stoppable relayTo(String host, int port) {
        return new TcpRelay(ServiceProcesses.freePort(), host, port);
    }

    /**
     * The {@code redis-server} on the PATH, else the one {@code scripts/redis/server} unpacks from the
     * Maven artifacts it runs on a machine where no Redis is installed.
     */
    public static String redisServerBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "redis-server"))) {
                return Path.of(dir, "redis-server").toString();
            }
        }
        Path script = ProjectScripts.root().resolve("scripts/redis/server");
        try {
            Process process = new ProcessBuilder(script.toString(), "binary")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String path = new String(process.getInputStream().readAllBytes()).strip();
            if (!process.waitFor(300, TimeUnit.SECONDS) || process.exitValue() != 0 || path.isEmpty()) {
                process.destroyForcibly();
                throw new IllegalStateException("no redis-server on the PATH, and " + script + " binary failed");
            }
            return path;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code <dir>-control.log}: where the scripts that start and stop the server in {@code dir} write. */
    static Path controlLog(Path dir) {
        return dir.resolveSibling(dir.getFileName() + "-control.log");
    }
}
