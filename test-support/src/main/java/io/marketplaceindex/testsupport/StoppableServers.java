package io.marketplaceindex.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Servers of a test's own, on free ports, that the test may stop and start again to see what the
 * application does without them. The shared servers are never touched.
 */
public final class StoppableServers {

    private StoppableServers() {
    }

    /** A port nothing listens on at the moment. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Something that can be stopped and started again on the same port. */
    public interface Stoppable extends AutoCloseable {
        int port();

        void start();

        void stop();

        @Override
        default void close() {
            stop();
        }
    }

    /**
     * A Redis server of its own ({@link #redisServerBinary()}), in memory only.
     */
    public static Stoppable redis() {
        return new RedisServer(freePort());
    }

    /**
     * The {@code redis-server} on the PATH, else the one {@code scripts/redis/server} unpacks from the
     * Maven artifacts it runs on a machine where no Redis is installed.
     */
    public static String redisServerBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "redis-server"))) {
                return Path.of(dir, "redis-server").toString();
            }
        }
        Path script = repositoryRoot().resolve("scripts/redis/server");
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

    /**
     * A single-node Kafka broker of its own, started by {@code scripts/kafka/broker} with its state under
     * {@code target/}. Starting takes a few seconds; stopping waits for a clean shutdown.
     */
    public static Stoppable kafka() {
        return new KafkaBroker(freePort(), freePort());
    }

    /**
     * A relay on a free port to a TCP server, as a database server's network address would behave:
     * stopped, the port refuses connections and every open one is cut; started, it relays again.
     */
    public static Stoppable relayTo(String host, int port) {
        return new Relay(freePort(), host, port);
    }

    private static final class RedisServer implements Stoppable {
        private final int port;
        private Process process;

        RedisServer(int port) {
            this.port = port;
        }

        @Override
        public int port() {
            return port;
        }

        @Override
        public synchronized void start() {
            if (process != null) {
                return;
            }
            try {
                process = new ProcessBuilder(redisServerBinary(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                throw new IllegalStateException("redis-server could not be started", e);
            }
            awaitPort(port, true, 10_000, "redis-server on port " + port);
        }

        @Override
        public synchronized void stop() {
            if (process == null) {
                return;
            }
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    private static final class KafkaBroker implements Stoppable {
        private final int port;
        private final Map<String, String> env;
        private final Path script;
        private boolean running;

        KafkaBroker(int port, int controllerPort) {
            this.port = port;
            Path root = repositoryRoot();
            this.script = root.resolve("scripts/kafka/broker");
            Path state = root.resolve("target/test-kafka/" + port);
            this.env = Map.of("KAFKA_PORT", String.valueOf(port), "KAFKA_CONTROLLER_PORT", String.valueOf(controllerPort),
                    "KAFKA_STATE_DIR", state.toString(), "KAFKA_HEAP_OPTS", "-Xms128m -Xmx384m");
            try {
                Files.createDirectories(state);
                // The broker's class path is resolved once per checkout and shared by every test broker.
                Path cache = root.resolve("target/test-kafka/classpath.txt");
                if (!Files.exists(cache)) {
                    run(List.of(script.toString(), "classpath"), Map.of("KAFKA_STATE_DIR",
                            root.resolve("target/test-kafka/resolve").toString()), 300);
                    Files.copy(root.resolve("target/test-kafka/resolve/classpath.txt"), cache);
                }
                Files.copy(cache, state.resolve("classpath.txt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public int port() {
            return port;
        }

        @Override
        public synchronized void start() {
            run(List.of(script.toString(), "start"), env, 120);
            running = true;
        }

        @Override
        public synchronized void stop() {
            if (running) {
                run(List.of(script.toString(), "stop"), env, 60);
                running = false;
            }
        }
    }

    private static final class Relay implements Stoppable {
        private final int port;
        private final String targetHost;
        private final int targetPort;
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();
        private ServerSocket listener;

        Relay(int port, String targetHost, int targetPort) {
            this.port = port;
            this.targetHost = targetHost;
            this.targetPort = targetPort;
        }

        @Override
        public int port() {
            return port;
        }

        @Override
        public synchronized void start() {
            if (listener != null) {
                return;
            }
            try {
                ServerSocket socket = new ServerSocket();
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                listener = socket;
                daemon(() -> accept(socket));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void accept(ServerSocket socket) {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    open.add(client);
                    Socket server;
                    try {
                        server = new Socket(targetHost, targetPort);
                    } catch (IOException e) {
                        closeQuietly(client);
                        continue;
                    }
                    open.add(server);
                    pipe(client, server);
                    pipe(server, client);
                } catch (IOException e) {
                    // closed by stop(), or the target refused: the client's connection ends either way
                }
            }
        }

        private void pipe(Socket from, Socket to) {
            daemon(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // the other side closed
                } finally {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            });
        }

        @Override
        public synchronized void stop() {
            if (listener == null) {
                return;
            }
            closeQuietly(listener);
            listener = null;
            for (Socket socket : open) {
                closeQuietly(socket);
            }
            open.clear();
        }

        private void closeQuietly(AutoCloseable closeable) {
            open.remove(closeable);
            try {
                closeable.close();
            } catch (Exception e) {
                // already closed
            }
        }
    }

    private static void daemon(Runnable task) {
        Thread thread = new Thread(task);
        thread.setDaemon(true);
        thread.start();
    }

    private static void run(List<String> command, Map<String, String> env, int timeoutSeconds) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void awaitPort(int port, boolean open, long timeoutMillis, String what) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                if (open) {
                    return;
                }
            } catch (IOException e) {
                if (!open) {
                    return;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(what + " did not " + (open ? "open" : "close") + " in time");
    }

    private static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("scripts/kafka/broker"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("scripts/kafka/broker not found above " + System.getProperty("user.dir"));
        }
        return dir;
    }
}
