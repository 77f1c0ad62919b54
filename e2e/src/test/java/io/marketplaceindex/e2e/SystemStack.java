package io.marketplaceindex.e2e;

import io.marketplaceindex.indexsync.IndexSync;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.testsupport.ServiceProcesses;
import io.marketplaceindex.testsupport.ServiceProcesses.ServiceProcess;
import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.UUID;

/**
 * The whole system as real processes: the api-service and N indexer-worker replicas from their
 * executable jars (started through {@link ServiceProcesses}), on a fresh database, topics and
 * consumer group of their own, against the real PostgreSQL, Redis and Kafka; registries are
 * simulated over real HTTP in this JVM.
 *
 * <p>The {@link Extension} shares one default stack (two workers) among the e2e classes that ask
 * for it and stops it when the run is done; a test that needs another shape (more workers,
 * failover settings, simulator latency) starts its own with {@link #start(Options)} and closes it.
 */
public final class SystemStack implements ExtensionContext.Store.CloseableResource, AutoCloseable {

    public static final String ADMIN_TOKEN = "e2e-" + UUID.randomUUID();
    public static final String ADMIN_EMAIL = "ops@example.org";
    public static final String ADMIN_PASSWORD = "e2e-password-" + UUID.randomUUID();
    /** The registry-token key both services get, as a deployment gives it. */
    public static final String TOKEN_KEY = TestServices.newTokenKey("e2e");

    // generous: on a busy two-core machine a service has been seen to need three minutes to start
    private static final Duration STARTUP = Duration.ofSeconds(300);

    /**
     * @param name      names the database ({@code mi_test_<name>_<random>}, dropped on close) and
     *                  the log directory ({@code target/e2e-logs/<name>})
     * @param workers   indexer-worker processes, named worker-1 .. worker-N
     * @param workerEnv extra environment of every worker (e.g. Kafka session timeouts)
     * @param apiEnv    extra environment of the api-service
     * @param simulator options of the in-JVM registry simulator
     * @param servers   the PostgreSQL, Redis and Kafka the processes use
     */
    public record Options(String name, int workers, Map<String, String> workerEnv, Map<String, String> apiEnv,
                          SimulatorOptions simulator, Servers servers) {

        public Options {
            Objects.requireNonNull(name, "name");
            workerEnv = Map.copyOf(workerEnv);
            apiEnv = Map.copyOf(apiEnv);
            Objects.requireNonNull(simulator, "simulator");
            Objects.requireNonNull(servers, "servers");
            if (workers < 1) {
                throw new IllegalArgumentException("at least one worker");
            }
        }

        /** The shared stack: two workers, default settings, a simulator without latency, the run's servers. */
        public static Options defaults() {
            return new Options("e2e", 2, Map.of(), Map.of(), SimulatorOptions.defaults(), Servers.shared());
        }

        public Options withName(String newName) {
            return new Options(newName, workers, workerEnv, apiEnv, simulator, servers);
        }

        public Options withWorkers(int count) {
            return new Options(name, count, workerEnv, apiEnv, simulator, servers);
        }

        public Options withWorkerEnv(Map<String, String> env) {
            return new Options(name, workers, env, apiEnv, simulator, servers);
        }

        public Options withApiEnv(Map<String, String> env) {
            return new Options(name, workers, workerEnv, env, simulator, servers);
        }

        public Options withSimulator(SimulatorOptions options) {
            return new Options(name, workers, workerEnv, apiEnv, options, servers);
        }

        public Options withServers(Servers newServers) {
            return new Options(name, workers, workerEnv, apiEnv, simulator, newServers);
        }
    }

    /**
     * Where the processes find PostgreSQL ({@code jdbc:postgresql://host:port/}), Redis and Kafka: the
     * run's shared servers, or servers of a test's own that it may stop and start again.
     */
    public record Servers(String postgresHostUrl, String redisUrl, String kafkaBootstrap) {

        public static Servers shared() {
            return new Servers(TestServices.postgresHostUrl(), TestServices.redisUrl(), TestServices.kafkaBootstrap());
        }
    }

    private final ServiceProcesses processes;
    private final Map<String, ServiceProcess> workers = new LinkedHashMap<>();
    private ServiceProcess api;
    private int apiStarts = 1;
    private final Map<String, String> apiEnv;
    private final RegistrySimulator simulator;
    private final String consumerGroup;
    private final String topicPrefix;
    private final String database;
    private final boolean sharedPostgres;
    private final Path apiJar;
    private final Map<String, String> env = new HashMap<>();

    private SystemStack(Options options) {
        Servers servers = options.servers();
        TestServices.requireKafka(servers.kafkaBootstrap());
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        apiJar = root.resolve("api-service/target/api-service.jar");
        Path workerJar = root.resolve("indexer-worker/target/indexer-worker.jar");
        processes = new ServiceProcesses(Path.of("target", "e2e-logs", options.name()));
        database = TestServices.uniqueDatabase(servers.postgresHostUrl(), options.name());
        sharedPostgres = servers.postgresHostUrl().equals(TestServices.postgresHostUrl());
        String prefix = TestServices.uniqueTopicPrefix();
        consumerGroup = prefix + "indexer";
        topicPrefix = prefix;
        env.put("SPRING_DATASOURCE_URL", database);
        env.put("SPRING_DATASOURCE_USERNAME", TestServices.postgresUser());
        env.put("SPRING_DATASOURCE_PASSWORD", TestServices.postgresPassword());
        env.put("SPRING_DATA_REDIS_URL", servers.redisUrl());
        env.put("SPRING_KAFKA_BOOTSTRAP_SERVERS", servers.kafkaBootstrap());
        env.put("SPRING_KAFKA_CONSUMER_GROUP_ID", consumerGroup);
        env.put("MARKETPLACE_KAFKA_TOPIC_PREFIX", prefix);
        env.put("MARKETPLACE_CACHE_KEY_PREFIX", prefix);
        env.put("MARKETPLACE_REGISTRY_ALLOW_PRIVATE_ADDRESSES", "true");
        env.put("MARKETPLACE_TOKEN_ENCRYPTION_KEY", TOKEN_KEY);
        simulator = RegistrySimulator.start(options.simulator());
        try {
            // All at once: the schema is already migrated, so no process waits for another.
            Map<String, String> workerEnv = new HashMap<>(env);
            workerEnv.putAll(options.workerEnv());
            for (int i = 1; i <= options.workers(); i++) {
                String name = "worker-" + i;
                workers.put(name, processes.startManagedService(name, workerJar, ServiceProcesses.SMALL_JVM, workerEnv));
            }
            apiEnv = new HashMap<>(env);
            apiEnv.put("MARKETPLACE_ADMIN_TOKEN", ADMIN_TOKEN);
            // A handful of test clients: keep slots free on a PostgreSQL server shared by several suites.
            apiEnv.put("SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE", "4");
            apiEnv.put("MARKETPLACE_ADMIN_EMAIL", ADMIN_EMAIL);
            apiEnv.put("MARKETPLACE_ADMIN_PASSWORD", ADMIN_PASSWORD);
            // the tests poll the catalog anonymously, many times a minute
            apiEnv.put("MARKETPLACE_RATE_LIMIT_ANONYMOUS_PER_MINUTE", "0");
            // the tests request every rebuild they count; a test of the schedule turns it on
            apiEnv.put("MARKETPLACE_REBUILD_CRON", "-");
            apiEnv.put("MARKETPLACE_REBUILD_TTL_CHECK_INTERVAL", "0");
            apiEnv.putAll(options.apiEnv());
            api = processes.startService("api", apiJar, apiEnv);
            List<ServiceProcess> all = new ArrayList<>(workers.values());
            all.add(api);
            for (ServiceProcess p : all) {
                processes.awaitHealthy(p, STARTUP);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** A stack of its own; the caller closes it. */
    public static SystemStack start(Options options) {
        return new SystemStack(options);
    }

    /** The extension: one default stack for every e2e class of this run, injected as a parameter. */
    public static final class Extension implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == SystemStack.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .getOrComputeIfAbsent(SystemStack.class, key -> new SystemStack(Options.defaults()),
                            SystemStack.class);
        }
    }

    public String apiUrl() {
        return api.url();
    }

    /**
     * Stops the api-service as a deployment does (SIGTERM: in-flight requests finish, then SIGKILL after
     * the grace period), then starts a new process on the same port and waits until it is healthy.
     */
    public synchronized void restartApi(Duration grace) {
        int port = api.port();
        api.stop(grace);
        Map<String, String> withPort = new HashMap<>(apiEnv);
        withPort.put("SERVER_PORT", String.valueOf(port));
        apiStarts++;
        api = processes.start("api-" + apiStarts, apiJar, ServiceProcesses.SMALL_JVM, List.of(), withPort, port);
        processes.awaitHealthy(api, STARTUP);
    }

    /** The JDBC URL of the stack's database. */
    public String databaseUrl() {
        return database;
    }

    public RegistrySimulator simulator() {
        return simulator;
    }

    /**
     * The index-sync command line against this system's api-service, with the admin token in its
     * environment (as an operator's cron would have it); returns its exit status, stdout and stderr.
     */
    public CommandResult indexSync(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = IndexSync.run(args, Map.of("MARKETPLACE_URL", apiUrl(), "MARKETPLACE_API_TOKEN", ADMIN_TOKEN),
                new PrintWriter(out), new PrintWriter(err));
        return new CommandResult(code, out.toString(), err.toString());
    }

    public record CommandResult(int exitCode, String stdout, String stderr) {

        /** Both streams, as a terminal shows them. */
        public String output() {
            return stdout + stderr;
        }
    }

    /** The workers by name (worker-1 ..), killed ones included. */
    public Map<String, ServiceProcess> workers() {
        return Map.copyOf(workers);
    }

    public ServiceProcess worker(String name) {
        ServiceProcess p = workers.get(name);
        if (p == null) {
            throw new NoSuchElementException("no worker named " + name);
        }
        return p;
    }

    /** The stack's topics (a prefix of its own on the shared broker). */
    public io.marketplaceindex.events.Topics topics() {
        return new io.marketplaceindex.events.Topics(topicPrefix);
    }

    /** Where each process's stdout and stderr are written, one {@code <name>.log} per process. */
    public Path logDirectory() {
        return processes.logs();
    }

    /** The Kafka consumer group the workers share. */
    public String consumerGroup() {
        return consumerGroup;
    }

    /** SIGKILL, as a crashed host would do it. */
    public void killWorker(String name) {
        worker(name).kill();
    }

    @Override
    public void close() {
        processes.close();
        simulator.close();
        // a test's own server goes with its data directory
        if (sharedPostgres) {
            TestServices.dropDatabase(database);
        }
    }

    static void sleep(long millis) {
        ServiceProcesses.sleep(millis);
    }
}
