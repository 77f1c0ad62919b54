package io.marketplaceindex.bench.indexer;

import io.marketplaceindex.bench.support.JsonHttp;
import io.marketplaceindex.events.Topics;
import io.marketplaceindex.testsupport.ServiceProcesses;
import io.marketplaceindex.testsupport.ServiceProcesses.ServiceProcess;
import io.marketplaceindex.testsupport.TestServices;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What the indexer benchmark runs against: the registry simulator, the api-service and two
 * indexer-workers as real processes, the run's own database, topics and consumer group on the real
 * PostgreSQL, Redis and Kafka; and what the driver asks of them beside the measurements (connect
 * registries, the consumer group, the schema). Everything is stopped and dropped by {@link #stop()}.
 */
final class IndexerStack {

    static final int PARTITIONS = 12;
    /** A worker has one consumer, whatever its command concurrency. */
    private static final int CONSUMERS_PER_WORKER = 1;

    private final IndexerOptions options;
    private final String adminToken = "bench-" + UUID.randomUUID();
    final JsonHttp admin = new JsonHttp(adminToken);
    final JsonHttp plain = new JsonHttp(null);
    final List<ServiceProcess> workers = new ArrayList<>();
    /** The postmaster of the server the script started for this run (--postgres own); null on a shared server. */
    final Long ownPostgresPid;
    private ServiceProcesses processes;
    ServiceProcess api;
    ServiceProcess simulator;
    private String database;
    /** The driver's one connection (CPU accounting, VACUUM): opened once, a shared server may run out of slots. */
    Connection pg;
    private String topicPrefix;
    private String consumerGroup;

    IndexerStack(IndexerOptions options) {
        this.options = options;
        this.ownPostgresPid = options.ownPostgres() ? Optional.ofNullable(System.getenv("BENCH_POSTGRES_PID"))
                .map(Long::valueOf)
                .orElseThrow(() -> new IllegalStateException("--postgres own measures the server scripts/bench-indexer"
                        + " starts (BENCH_POSTGRES_PID is not set); run the script, or use --postgres shared"))
                : null;
    }

    /** Starts everything and waits until both workers own the command partitions between them. */
    void start(Instant startedAt) {
        Path repo = options.repo();
        processes = new ServiceProcesses(repo.resolve("benchmarks/target/bench-logs/indexer-"
                + startedAt.toString().replace(':', '-')));
        TestServices.requireKafka();
        database = TestServices.uniqueDatabase("bench_indexer");
        try {
            pg = DriverManager.getConnection(database, TestServices.postgresUser(), TestServices.postgresPassword());
            pg.setAutoCommit(true);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to " + database + ": " + e.getMessage(), e);
        }
        topicPrefix = "bench" + UUID.randomUUID().toString().substring(0, 8) + ".";
        consumerGroup = topicPrefix + "indexer";
        startSimulator(repo.resolve("registry-simulator/target/registry-simulator.jar"));
        startServices(repo.resolve("api-service/target/api-service.jar"),
                repo.resolve("indexer-worker/target/indexer-worker.jar"));
        IndexerBenchmark.say("stack up: api " + api.url() + ", workers " + workers.get(0).url() + " "
                + workers.get(1).url() + ", simulator " + simulator.url());
    }

    private Map<String, String> serviceEnvironment() {
        Map<String, String> env = ServiceProcesses.connections(database, TestServices.postgresUser(),
                TestServices.postgresPassword(), TestServices.redisUrl(), TestServices.kafkaBootstrap());
        env.put("SPRING_KAFKA_CONSUMER_GROUP_ID", consumerGroup);
        env.put("MARKETPLACE_KAFKA_TOPIC_PREFIX", topicPrefix);
        env.put("MARKETPLACE_CACHE_KEY_PREFIX", topicPrefix);
        env.put("MARKETPLACE_REGISTRY_ALLOW_PRIVATE_ADDRESSES", "true");
        return env;
    }

    private void startSimulator(Path simJar) {
        int simPort = ServiceProcesses.freePort();
        simulator = processes.start("simulator", simJar, List.of("-Xmx1g"),
                List.of("--port", String.valueOf(simPort), "--registries", String.valueOf(options.registries()),
                        "--agents", String.valueOf(options.agents()), "--seed", "1",
                        "--threads", String.valueOf(options.simulatorThreads()), "--latency-ms", "0",
                        "--name-prefix", "bench", "--card-max-age-s", String.valueOf(options.cardMaxAgeSeconds())),
                Map.of(), simPort);
        processes.awaitHttp(simulator, "/control/registries", Duration.ofSeconds(60));
    }

    private void startServices(Path apiJar, Path workerJar) {
        Map<String, String> workerEnv = serviceEnvironment();
        Map<String, String> apiEnv = serviceEnvironment();
        apiEnv.put("MARKETPLACE_ADMIN_TOKEN", adminToken);
        // every rebuild measured is the benchmark's own: no scheduled one may land in a measurement
        apiEnv.put("MARKETPLACE_REBUILD_CRON", "-");
        apiEnv.put("MARKETPLACE_REBUILD_TTL_CHECK_INTERVAL", "0");
        if (options.readLoad()) {
            // wrk is one client at thousands of requests per second: the per-client limit would answer 429
            apiEnv.put("MARKETPLACE_RATE_LIMIT_ANONYMOUS_PER_MINUTE", "0");
        } else {
            // The api-service only answers the driver here; its default pool (16) would hold slots a
            // shared PostgreSQL server may not have.
            apiEnv.put("SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE", "4");
        }
        api = processes.startService("api", apiJar, List.of("-Xmx512m"), apiEnv);
        // Two workers, as the project deploys them (docker-compose, local-stack); both get warm in
        // the full rebuild, so the one-against-two comparison at the end compares warm JVMs.
        for (int i = 1; i <= 2; i++) {
            workers.add(processes.startManagedService("worker-" + i, workerJar, List.of("-Xmx1g"), workerEnv));
        }
        List<ServiceProcess> services = new ArrayList<>(workers);
        services.add(api);
        for (ServiceProcess p : services) {
            processes.awaitHealthy(p, Duration.ofSeconds(600));
        }
        awaitConsumerGroup(2);
    }

    List<ServiceProcess> liveWorkers() {
        return workers.stream().filter(ServiceProcess::isAlive).toList();
    }

    /** SIGTERM to the second worker (it leaves the consumer group), then until the first owns every partition. */
    void stopSecondWorker() {
        ServiceProcess second = workers.get(1);
        second.stop(Duration.ofSeconds(30));
        IndexerBenchmark.say("stopped " + second.name() + " (SIGTERM)");
        awaitConsumerGroup(1);
    }

    /**
     * Connects registries whose first listing is empty (a simulator fault), so the sync that
     * follows every connect is trivial and the measured rebuild starts from an empty index.
     */
    Map<String, String> connectEmpty(List<String> names) {
        Map<String, String> ids = connect(names, true);
        awaitSynced(new ArrayList<>(ids.values()));
        return ids;
    }

    Map<String, String> connect(List<String> names, boolean emptyFirstListing) {
        Map<String, String> ids = new LinkedHashMap<>();
        for (String name : names) {
            if (emptyFirstListing) {
                simulator("POST", "/control/registries/" + name + "/faults", "{\"kind\":\"emptyListing\",\"times\":1}");
            }
            JsonNode answer = admin.post(api.url() + "/api/settings/registries",
                    "{\"name\":\"" + name + "\",\"url\":\"" + simulator.url() + "/registries/" + name + "\"}").ok();
            ids.put(name, answer.get("id").asString());
        }
        IndexerBenchmark.say("connected " + names.size() + " registries (" + names.get(0) + " ..)");
        return ids;
    }

    void awaitSynced(List<String> ids) {
        await("registries synced after connect", Duration.ofMinutes(10), () -> {
            JsonNode list = admin.get(api.url() + "/api/settings/registries").ok().get("data");
            int ok = 0;
            for (JsonNode r : list) {
                if (ids.contains(r.get("id").asString()) && "ok".equals(r.path("lastSyncStatus").asString(""))) {
                    ok++;
                }
            }
            return ok == ids.size();
        }, 500);
    }

    JsonNode simulator(String method, String path) {
        return simulator(method, path, null);
    }

    JsonNode simulator(String method, String path, String body) {
        return plain.send(method, simulator.url() + path, body).ok();
    }

    private static Admin kafkaAdmin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.kafkaBootstrap()));
    }

    private ConsumerGroupDescription describeGroup(Admin kafka) throws Exception {
        return kafka.describeConsumerGroups(List.of(consumerGroup)).all().get(10, TimeUnit.SECONDS).get(consumerGroup);
    }

    /** Waits until {@code workerCount} workers own all partitions between them. */
    void awaitConsumerGroup(int workerCount) {
        int members = workerCount * CONSUMERS_PER_WORKER;
        try (Admin kafka = kafkaAdmin()) {
            await("consumer group of " + members + " members", Duration.ofMinutes(2), () -> {
                try {
                    ConsumerGroupDescription group = describeGroup(kafka);
                    int partitions = 0;
                    for (MemberDescription member : group.members()) {
                        partitions += member.assignment().topicPartitions().size();
                    }
                    return group.members().size() == members && partitions == PARTITIONS;
                } catch (Exception e) {
                    return false;
                }
            }, 250);
        }
    }

    /**
     * How many of these registries each consumer owns: the partition of a registry is Kafka's default
     * for its key (the registry id), and the group says who owns which partition. The larger share,
     * against an even one, bounds what a second worker can gain.
     */
    String partitionSplit(Collection<String> registryIds) {
        try (Admin kafka = kafkaAdmin()) {
            ConsumerGroupDescription group = describeGroup(kafka);
            int[] perPartition = new int[PARTITIONS];
            for (String id : registryIds) {
                perPartition[Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS]++;
            }
            List<Integer> shares = new ArrayList<>();
            for (MemberDescription member : group.members()) {
                int n = 0;
                for (TopicPartition tp : member.assignment().topicPartitions()) {
                    n += tp.topic().equals(new Topics(topicPrefix).commands()) ? perPartition[tp.partition()] : 0;
                }
                shares.add(n);
            }
            shares.sort(Comparator.reverseOrder());
            int largest = shares.isEmpty() ? 0 : shares.get(0);
            return String.format(Locale.ROOT, "%s of %,d; an even split would let two workers be %.2f× as fast as one, "
                    + "this one at most %.2f×", shares, registryIds.size(), (double) shares.size(),
                    largest == 0 ? 0.0 : (double) registryIds.size() / largest);
        } catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /**
     * Drops indexes of marketplace_catalog_rows or of the key table its trigger keeps (V23) after the
     * workers have migrated the schema. Only named non-primary indexes of those tables are accepted, so a
     * typo fails the run before anything is measured.
     */
    List<String> dropCatalogIndexes(List<String> requested) {
        List<String> secondary = new ArrayList<>();
        try (Statement st = pg.createStatement()) {
            for (String table : List.of("marketplace_catalog_rows", CatalogSizes.KEY_TABLE)) {
                CatalogSizes.indexes(st, table).stream().filter(index -> !index.primary())
                        .forEach(index -> secondary.add(index.name()));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list the catalog's indexes: " + e.getMessage(), e);
        }
        List<String> drop = requested.equals(List.of(IndexerOptions.SECONDARY_INDEXES)) ? secondary : requested;
        for (String name : drop) {
            if (!secondary.contains(name)) {
                throw new IllegalArgumentException("--without-indexes: " + name + " is not a secondary index of "
                        + "marketplace_catalog_rows or " + CatalogSizes.KEY_TABLE + " (those are " + secondary + ")");
            }
        }
        try (Statement st = pg.createStatement()) {
            for (String name : drop) {
                st.execute("DROP INDEX \"" + name + "\"");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop an index: " + e.getMessage(), e);
        }
        return List.copyOf(drop);
    }

    /**
     * The search structures of V19 and V20, for --without-search: the generated column search_vector (its
     * index catalog_rows_search_vector goes with it) and the gram indexes. The worker's writes are unchanged:
     * it still computes and writes search_grams, PostgreSQL no longer indexes them nor computes the vector.
     */
    List<String> dropSearch() {
        List<String> dropped = List.of("column search_vector with catalog_rows_search_vector",
                "catalog_rows_search_grams", "catalog_rows_search_grams_missing");
        try (Statement st = pg.createStatement()) {
            st.execute("ALTER TABLE marketplace_catalog_rows DROP COLUMN search_vector");
            st.execute("DROP INDEX catalog_rows_search_grams");
            st.execute("DROP INDEX catalog_rows_search_grams_missing");
        } catch (SQLException e) {
            throw new IllegalStateException("--without-search: " + e.getMessage(), e);
        }
        return dropped;
    }

    String postgresVersion() {
        try (Statement st = pg.createStatement(); ResultSet rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** The server settings that decide what a bulk load costs (deploy/postgres-settings.sql sets them). */
    String postgresSettings() {
        StringBuilder settings = new StringBuilder();
        try (Statement st = pg.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT name, current_setting(name) FROM pg_settings
                WHERE name IN ('shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'maintenance_work_mem',
                               'work_mem', 'synchronous_commit', 'autovacuum', 'wal_init_zero')
                ORDER BY name""")) {
            while (rs.next()) {
                settings.append(settings.isEmpty() ? "" : ", ").append('`').append(rs.getString(1)).append(" = ")
                        .append(rs.getString(2)).append('`');
            }
            return settings.toString();
        } catch (SQLException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    synchronized void stop() {
        if (processes == null) {
            return;
        }
        processes.close();
        processes = null;
        if (pg != null) {
            try {
                pg.close();
            } catch (SQLException e) {
                // closing anyway
            }
            pg = null;
        }
        if (!options.keepData() && database != null) {
            dropData();
        }
    }

    /** The run's database, topics and consumer group: a benchmark leaves nothing behind unless asked. */
    private void dropData() {
        try {
            TestServices.dropDatabase(database);
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
        }
        try (Admin kafka = kafkaAdmin()) {
            List<String> topics = kafka.listTopics().names().get(10, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(topicPrefix)).toList();
            kafka.deleteTopics(topics).all().get(30, TimeUnit.SECONDS);
            kafka.deleteConsumerGroups(List.of(consumerGroup)).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("could not delete the run's topics / group: " + e.getMessage());
        }
        database = null;
    }

    static void await(String what, Duration timeout, BooleanSupplier condition, long pollMillis) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            ServiceProcesses.sleep(pollMillis);
        }
    }
}
