package io.marketplaceindex.e2e;

import io.marketplaceindex.simulator.Fault;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.testsupport.ServiceProcesses.ServiceProcess;
import io.marketplaceindex.testsupport.TestServices;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three indexer-worker processes share the consumer group; a rebuild of 30 registries (150
 * agents each, 40 ms simulated latency per response) is running when the busiest worker is killed
 * with SIGKILL. Its partitions move to the two survivors after the session timeout, the commands
 * it had not committed are delivered again, and the index ends exactly equal to the registries'
 * catalogs: every registry synced ok, every agent present once, none lost, none duplicated.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerFailoverE2EIT {

    private static final Logger log = LoggerFactory.getLogger(WorkerFailoverE2EIT.class);

    private static final int REGISTRIES = 30;
    private static final int AGENTS = 150;
    private static final int WORKERS = 3;
    /** Each worker has one consumer, whatever its command concurrency. */
    private static final int CONSUMERS_PER_WORKER = 1;

    private SystemStack stack;
    private Api api;
    private final List<SimulatedRegistry> registries = new ArrayList<>();

    @BeforeAll
    void startThreeWorkers() {
        stack = SystemStack.start(SystemStack.Options.defaults()
                .withName("e2e_failover")
                .withWorkers(WORKERS)
                // A dead worker's partitions move after the session timeout: keep it short here
                // (6 s is the broker's default minimum). Map keys bind from the environment
                // as-is: SPRING_KAFKA_CONSUMER_PROPERTIES_SESSION_TIMEOUT_MS -> "session.timeout.ms".
                .withWorkerEnv(Map.of(
                        "SPRING_KAFKA_CONSUMER_PROPERTIES_SESSION_TIMEOUT_MS", "6000",
                        "SPRING_KAFKA_CONSUMER_PROPERTIES_HEARTBEAT_INTERVAL_MS", "1500"))
                // Latency makes the rebuild last long enough to kill a worker in the middle of it;
                // every delayed response holds a simulator thread, so there are plenty.
                .withSimulator(SimulatorOptions.defaults().withThreads(160).withLatency(Duration.ofMillis(40))));
        api = new Api(stack.apiUrl());
    }

    @AfterAll
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aWorkerKilledMidRebuildLosesNothingAndDuplicatesNothing() {
        // Connected registries are synced at once; an empty first listing keeps that sync trivial,
        // so the rebuild below is what fills the index.
        Map<String, String> idsByName = new HashMap<>();
        for (int i = 1; i <= REGISTRIES; i++) {
            SimulatedRegistry registry = stack.simulator().addRegistry(String.format("fo-%02d", i), AGENTS, 100L + i);
            registry.setFault(Fault.emptyListing().firstRequests(1));
            registries.add(registry);
            Api.Answer connected = api.asAdmin("POST", "/api/settings/registries",
                    "{\"name\":\"" + registry.name() + "\",\"url\":\"" + registry.baseUrl() + "\"}");
            assertThat(connected.status()).as("connect %s", registry.name()).isEqualTo(202);
            idsByName.put(registry.name(), connected.body().get("id").asString());
        }
        await("every registry connected and synced once", Duration.ofSeconds(60), () -> {
            JsonNode list = api.asAdmin("GET", "/api/settings/registries", null).body().get("data");
            int ok = 0;
            for (JsonNode r : list) {
                ok += "ok".equals(r.path("lastSyncStatus").asString("")) ? 1 : 0;
            }
            return ok == REGISTRIES;
        });
        // the index is still empty (the catalog endpoint would answer from the live fallback)
        api.asAdmin("GET", "/api/settings/registries", null).body().get("data")
                .forEach(r -> assertThat(r.get("recordCount").asInt()).isZero());
        awaitConsumerGroup(WORKERS * CONSUMERS_PER_WORKER);

        Api.Answer rebuild = api.asAdmin("POST", "/api/marketplace/index-rebuild", null);
        assertThat(rebuild.status()).isEqualTo(202);
        assertThat(rebuild.body().get("registries")).hasSize(REGISTRIES);
        String progressPath = "/api/marketplace/index-rebuild/" + rebuild.body().get("rebuildId").asString();

        // Mid-way: some registries done, most still to come; kill the worker that is fetching right now.
        JsonNode atKill = await("the rebuild to be under way", Duration.ofSeconds(60), progressPath,
                p -> p.get("finished").asInt() >= 3);
        int finishedAtKill = atKill.get("finished").asInt();
        assertThat(finishedAtKill).as("registries finished when the worker is killed").isLessThan(REGISTRIES - 5);
        ServiceProcess victim = busiestWorker();
        long killedAt = System.currentTimeMillis();
        victim.kill();
        log.info("killed {} (SIGKILL) with {} of {} registries finished", victim, finishedAtKill, REGISTRIES);
        assertThat(victim.isAlive()).isFalse();

        JsonNode done = await("the rebuild to finish on the surviving workers", Duration.ofSeconds(100), progressPath,
                p -> p.get("started").asInt() == REGISTRIES && p.get("finished").asInt() == REGISTRIES);
        log.info("rebuild finished {} s after the kill", (System.currentTimeMillis() - killedAt) / 1000.0);
        for (JsonNode line : done.get("registries")) {
            // "coalesced": the victim committed the registry but not the offset; the redelivered
            // command found that sync newer than itself. Anything else would be a loss.
            assertThat(line.get("status").asString()).as("rebuild of %s", line.get("name").asString())
                    .isIn("ok", "coalesced");
        }

        JsonNode list = api.asAdmin("GET", "/api/settings/registries", null).body().get("data");
        assertThat(list).hasSize(REGISTRIES);
        for (JsonNode r : list) {
            assertThat(r.get("lastSyncStatus").asString()).as("lastSyncStatus of %s", r.get("name").asString())
                    .isEqualTo("ok");
            assertThat(r.get("syncStatus").asString()).as("syncStatus of %s", r.get("name").asString())
                    .isEqualTo("ok");
            assertThat(r.get("recordCount").asInt()).as("rows of %s", r.get("name").asString()).isEqualTo(AGENTS);
            assertThat(r.get("id").asString()).isEqualTo(idsByName.get(r.get("name").asString()));
        }

        // The index, read back through the public API, is exactly the simulator's catalog.
        Set<String> expected = new HashSet<>();
        for (SimulatedRegistry registry : registries) {
            registry.agents().forEach(a -> expected.add(registry.baseUrl() + " | " + a.handle() + " | " + a.name()));
        }
        assertThat(expected).hasSize(REGISTRIES * AGENTS);
        api.awaitCatalog("every agent to be served", Duration.ofSeconds(30),
                page -> page.get("total").asLong() == expected.size());
        List<String> indexed = new ArrayList<>();
        for (JsonNode agent : api.allAgents("")) {
            indexed.add(agent.get("registryUrl").asString() + " | " + agent.get("handle").asString() + " | "
                    + agent.get("name").asString());
        }
        assertThat(new HashSet<>(indexed)).as("no duplicates").hasSameSizeAs(indexed);
        assertThat(new HashSet<>(indexed)).isEqualTo(expected);

        // The dead worker's consumers left the group; the survivors own every partition.
        awaitConsumerGroup((WORKERS - 1) * CONSUMERS_PER_WORKER);

        // The survivors' Micrometer meters, as operators scrape them.
        for (ServiceProcess worker : stack.workers().values()) {
            if (!worker.isAlive()) {
                continue;
            }
            Api actuator = new Api(worker.url());
            Api.Answer syncs = actuator.get("/actuator/metrics/marketplace.sync.duration");
            assertThat(syncs.status()).isEqualTo(200);
            assertThat(statistic(syncs.body(), "COUNT")).as("syncs timed by %s", worker.name()).isPositive();
            Api.Answer requests = actuator.get("/actuator/metrics/registry.http.requests");
            assertThat(requests.status()).isEqualTo(200);
            assertThat(statistic(requests.body(), "COUNT")).as("registry requests of %s", worker.name()).isPositive();
            assertThat(actuator.get("/actuator/metrics/marketplace.sync.rows.written").status()).isEqualTo(200);
        }
    }

    /** The live worker whose registry request count grows fastest right now (it is mid-sync). */
    private ServiceProcess busiestWorker() {
        Map<ServiceProcess, Double> before = new HashMap<>();
        for (ServiceProcess worker : stack.workers().values()) {
            before.put(worker, requestCount(worker));
        }
        SystemStack.sleep(300);
        ServiceProcess busiest = null;
        double most = 0;
        for (ServiceProcess worker : stack.workers().values()) {
            double delta = requestCount(worker) - before.get(worker);
            if (delta > most) {
                most = delta;
                busiest = worker;
            }
        }
        assertThat(busiest).as("a worker fetching from registries").isNotNull();
        return busiest;
    }

    private static double requestCount(ServiceProcess worker) {
        Api.Answer answer = new Api(worker.url()).get("/actuator/metrics/registry.http.requests");
        return answer.status() == 200 ? statistic(answer.body(), "COUNT") : 0;
    }

    private static double statistic(JsonNode metric, String name) {
        for (JsonNode m : metric.get("measurements")) {
            if (name.equals(m.get("statistic").asString())) {
                return m.get("value").asDouble();
            }
        }
        throw new AssertionError("no " + name + " in " + metric);
    }

    /** Waits until the group has exactly {@code members} consumers that together own every partition. */
    private void awaitConsumerGroup(int members) {
        String[] last = {"(not described yet)"};
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.kafkaBootstrap()))) {
            await("consumer group with " + members + " members owning all 12 partitions", Duration.ofSeconds(60), () -> {
                ConsumerGroupDescription group;
                try {
                    group = admin.describeConsumerGroups(List.of(stack.consumerGroup())).all()
                            .get(10, TimeUnit.SECONDS).get(stack.consumerGroup());
                } catch (Exception e) {
                    last[0] = e.toString();
                    return false;
                }
                int partitions = 0;
                for (MemberDescription member : group.members()) {
                    partitions += member.assignment().topicPartitions().size();
                }
                last[0] = group.groupState() + ", " + group.members().size() + " members, " + partitions + " partitions";
                return group.members().size() == members && partitions == 12;
            }, () -> last[0]);
        }
    }

    private JsonNode await(String what, Duration timeout, String path, Predicate<JsonNode> condition) {
        return api.awaitAdmin(what, timeout, path, answer -> condition.test(answer.body())).body();
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) {
        await(what, timeout, condition, () -> "");
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state) {
        try {
            Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(200)).until(condition::getAsBoolean);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("timed out waiting for " + what + "; last seen: " + state.get(), e);
        }
    }
}
