package io.marketplaceindex.e2e;

import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
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
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The whole system as real processes: the api-service and two indexer-worker replicas from their
 * executable jars, on a fresh database and topics of their own, against the real PostgreSQL,
 * Redis and Kafka; registries are simulated over real HTTP in this JVM. Started once for all e2e
 * classes (a JUnit extension keeps it in the root store) and stopped when they are done.
 */
public final class SystemStack implements ExtensionContext.Store.CloseableResource {

    public static final String ADMIN_TOKEN = "e2e-" + UUID.randomUUID();
    public static final String ADMIN_EMAIL = "ops@example.org";
    public static final String ADMIN_PASSWORD = "e2e-password-" + UUID.randomUUID();

    private final List<Process> processes = new ArrayList<>();
    private final Map<String, Process> workers = new HashMap<>();
    private final RegistrySimulator simulator;
    private final Path logs;
    private final Map<String, String> env = new HashMap<>();
    private final int apiPort;
    private final Path apiJar;

    private SystemStack() throws IOException {
        TestServices.requireKafka();
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        this.logs = Path.of("target", "e2e-logs");
        Files.createDirectories(logs);
        this.apiJar = root.resolve("api-service/target/api-service.jar");
        Path workerJar = root.resolve("indexer-worker/target/indexer-worker.jar");
        for (Path jar : List.of(apiJar, workerJar)) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: run the whole build (scripts/test or mvn verify)");
            }
        }
        String database = TestServices.freshDatabase("e2e");
        String prefix = TestServices.uniqueTopicPrefix();
        env.put("SPRING_DATASOURCE_URL", database);
        env.put("SPRING_DATASOURCE_USERNAME", TestServices.postgresUser());
        env.put("SPRING_DATASOURCE_PASSWORD", TestServices.postgresPassword());
        env.put("SPRING_DATA_REDIS_URL", TestServices.redisUrl());
        env.put("SPRING_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap());
        env.put("SPRING_KAFKA_CONSUMER_GROUP_ID", prefix + "indexer");
        env.put("MARKETPLACE_KAFKA_TOPIC_PREFIX", prefix);
        env.put("MARKETPLACE_CACHE_KEY_PREFIX", prefix);
        env.put("MARKETPLACE_REGISTRY_ALLOW_PRIVATE_ADDRESSES", "true");
        simulator = RegistrySimulator.start(SimulatorOptions.defaults());

        apiPort = freePort();
        for (String name : List.of("worker-1", "worker-2")) {
            startWorker(name, workerJar);
        }
        Map<String, String> apiEnv = new HashMap<>(env);
        apiEnv.put("SERVER_PORT", String.valueOf(apiPort));
        apiEnv.put("MARKETPLACE_ADMIN_TOKEN", ADMIN_TOKEN);
        apiEnv.put("MARKETPLACE_ADMIN_EMAIL", ADMIN_EMAIL);
        apiEnv.put("MARKETPLACE_ADMIN_PASSWORD", ADMIN_PASSWORD);
        // the tests poll the catalog anonymously, many times a minute
        apiEnv.put("MARKETPLACE_RATE_LIMIT_ANONYMOUS_PER_MINUTE", "0");
        start("api", apiJar, apiEnv);
        awaitHealthy(apiPort, "api");
    }

    /** The extension: one stack for every e2e class of this run, injected as a parameter. */
    public static final class Extension implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == SystemStack.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .getOrComputeIfAbsent(SystemStack.class, key -> {
                        try {
                            return new SystemStack();
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }, SystemStack.class);
        }
    }

    public String apiUrl() {
        return "http://127.0.0.1:" + apiPort;
    }

    public RegistrySimulator simulator() {
        return simulator;
    }

    /** The index-sync command line against this system; returns its exit status and output. */
    public CommandResult indexSync(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", apiJar.toString(), "--spring.main.web-application-type=none", "--logging.level.root=warn",
                "--marketplace.cli.index-sync=true"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("index-sync did not finish:\n" + output);
        }
        return new CommandResult(process.exitValue(), output);
    }

    public record CommandResult(int exitCode, String output) {
    }

    /** SIGKILL, as a crashed host would do it. */
    public void killWorker(String name) throws InterruptedException {
        Process p = workers.get(name);
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    private void startWorker(String name, Path jar) throws IOException {
        int port = freePort();
        Map<String, String> workerEnv = new HashMap<>(env);
        workerEnv.put("SERVER_PORT", String.valueOf(port));
        workers.put(name, start(name, jar, workerEnv));
        awaitHealthy(port, name);
    }

    private Process start(String name, Path jar, Map<String, String> processEnv) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + ".log").toFile());
        builder.environment().putAll(processEnv);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private void awaitHealthy(int port, String name) {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
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
            if (processes.stream().anyMatch(p -> !p.isAlive())) {
                throw new IllegalStateException(name + " exited early; see " + logs.toAbsolutePath());
            }
            sleep(250);
        }
        throw new IllegalStateException(name + " did not become healthy; see " + logs.toAbsolutePath());
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        simulator.close();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
