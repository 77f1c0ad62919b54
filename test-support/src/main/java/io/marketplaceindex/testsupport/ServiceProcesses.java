package io.marketplaceindex.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Java processes started from executable jars (the services, the registry simulator), each with
 * its own environment and log file, stopped together. The one way the e2e stacks and the
 * benchmarks run the system as real processes.
 */
public final class ServiceProcesses implements AutoCloseable {

    /** JVM options for short-lived test and benchmark processes on a small machine. */
    public static final List<String> SMALL_JVM = List.of("-Xmx384m", "-XX:TieredStopAtLevel=1");

    /** One started process. */
    public static final class ServiceProcess {
        private final String name;
        private final Process process;
        private final int port;
        private final Path log;

        private ServiceProcess(String name, Process process, int port, Path log) {
            this.name = name;
            this.process = process;
            this.port = port;
            this.log = log;
        }

        public String name() {
            return name;
        }

        /** The HTTP port it was told to listen on (SERVER_PORT, MANAGEMENT_SERVER_PORT or --port), or -1. */
        public int port() {
            return port;
        }

        public String url() {
            return "http://127.0.0.1:" + port;
        }

        public long pid() {
            return process.pid();
        }

        public Path log() {
            return log;
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** SIGKILL, as a crashed host would do it; waits until the process is gone. */
        public void kill() {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(30));
        }

        /** SIGTERM (a graceful shutdown), then SIGKILL when it is not gone within the grace period. */
        public void stop(Duration grace) {
            if (!process.isAlive()) {
                return;
            }
            process.destroy();
            if (!waitFor(grace)) {
                kill();
            }
        }

        private boolean waitFor(Duration timeout) {
            try {
                return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                return false;
            }
        }

        @Override
        public String toString() {
            return name + "(pid " + process.pid() + ", port " + port + ")";
        }
    }

    private final Path logs;
    private final List<ServiceProcess> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** @param logs directory of the processes' logs (one {@code <name>.log} each), created if missing */
    public ServiceProcesses(Path logs) {
        this.logs = logs;
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path logs() {
        return logs;
    }

    /**
     * Starts {@code java <jvmOptions> -jar <jar> <args>} with this JVM's java, the given
     * environment on top of the inherited one, stdout and stderr into {@code <logs>/<name>.log}.
     *
     * @param port the port the process was told to use (for {@link ServiceProcess#url()}), or -1
     */
    public ServiceProcess start(String name, Path jar, List<String> jvmOptions, List<String> args,
                                Map<String, String> env, int port) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it first (mvn -DskipTests package)");
        }
        List<String> javaArguments = new ArrayList<>(jvmOptions);
        javaArguments.add("-jar");
        javaArguments.add(jar.toString());
        javaArguments.addAll(args);
        return startJava(name, javaArguments, env, port);
    }

    /**
     * Starts {@code java <javaArguments>} with this JVM's java: for what {@code -jar} cannot say, such as a
     * Spring Boot jar through its PropertiesLauncher with {@code -Dloader.path}. As {@link #start} otherwise.
     */
    public synchronized ServiceProcess startJava(String name, List<String> javaArguments, Map<String, String> env,
                                                 int port) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaArguments);
        Path log = logs.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        try {
            ServiceProcess p = new ServiceProcess(name, builder.start(), port, log);
            started.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** A Spring Boot service with {@link #SMALL_JVM} options: SERVER_PORT is set to a free port here. */
    public ServiceProcess startService(String name, Path jar, Map<String, String> env) {
        return startService(name, jar, SMALL_JVM, env);
    }

    /** A Spring Boot service: SERVER_PORT is set to a free port here. */
    public ServiceProcess startService(String name, Path jar, List<String> jvmOptions, Map<String, String> env) {
        int port = freePort();
        Map<String, String> withPort = new HashMap<>(env);
        withPort.put("SERVER_PORT", String.valueOf(port));
        return start(name, jar, jvmOptions, List.of(), withPort, port);
    }

    /**
     * A Spring Boot service whose only listener is its actuator, on the management port (the indexer
     * worker): MANAGEMENT_SERVER_PORT is set to a free port here, and SERVER_PORT to -1 so that one
     * inherited from the environment opens no second listener.
     */
    public ServiceProcess startManagedService(String name, Path jar, List<String> jvmOptions, Map<String, String> env) {
        int port = freePort();
        Map<String, String> withPort = new HashMap<>(env);
        withPort.put("SERVER_PORT", "-1");
        withPort.put("MANAGEMENT_SERVER_PORT", String.valueOf(port));
        return start(name, jar, jvmOptions, List.of(), withPort, port);
    }

    /** Waits for {@code /actuator/health} to answer 200. */
    public void awaitHealthy(ServiceProcess p, Duration timeout) {
        awaitHttp(p, "/actuator/health", timeout);
    }

    /** Waits until {@code GET <process url><path>} answers 200; fails at once when the process exits. */
    public void awaitHttp(ServiceProcess p, String path, Duration timeout) {
        URI uri = URI.create(p.url() + path);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (!p.isAlive()) {
                throw new IllegalStateException(p.name() + " exited early; see " + p.log().toAbsolutePath());
            }
            sleep(250);
        }
        throw new IllegalStateException(p.name() + " did not answer " + uri + " within " + timeout.toSeconds()
                + " s; see " + p.log().toAbsolutePath());
    }

    /** Every process started here and still running, SIGTERM first (in parallel), SIGKILL after 20 s. */
    @Override
    public synchronized void close() {
        for (ServiceProcess p : started) {
            if (p.isAlive()) {
                p.process.destroy();
            }
        }
        for (ServiceProcess p : started) {
            p.stop(Duration.ofSeconds(20));
        }
        started.clear();
    }

    /**
     * The environment that points a service at its database, Redis and Kafka (Spring Boot's own keys),
     * mutable for what the caller adds.
     */
    public static Map<String, String> connections(String jdbcUrl, String user, String password, String redisUrl,
                                                  String kafkaBootstrap) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("SPRING_DATASOURCE_URL", jdbcUrl);
        env.put("SPRING_DATASOURCE_USERNAME", user);
        env.put("SPRING_DATASOURCE_PASSWORD", password);
        env.put("SPRING_DATA_REDIS_URL", redisUrl);
        env.put("SPRING_KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrap);
        return env;
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
