package io.marketplaceindex.worker.command;

import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.simulator.Fault;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.testsupport.TestServices;
import io.marketplaceindex.worker.WorkerTestSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.KafkaOperations;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker's consumer against a real broker: registries that share a partition are synced side by
 * side, and partitions handed to another group member mid-rebuild lose nothing and repeat nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandConsumerIT extends WorkerTestSupport {

    private static final int PARTITIONS = 12;
    private static final AtomicInteger NAMES = new AtomicInteger();

    @Autowired
    KafkaOperations<String, byte[]> kafka;

    private RegistrySimulator simulator;

    @BeforeAll
    void start() {
        // every held record request keeps a simulator thread
        simulator = RegistrySimulator.start(SimulatorOptions.defaults().withThreads(64));
    }

    @AfterAll
    void stop() {
        simulator.close();
    }

    @Test
    void aSlowRegistryDoesNotHoldUpARegistryOnTheSamePartition() {
        SimulatedRegistry slow = slowRegistry(16, Duration.ofMillis(700));
        SimulatedRegistry quick = simulator.addRegistry("quick-" + NAMES.incrementAndGet(), 3, 31L);
        UUID slowId = idOnPartition(5);
        UUID quickId = idOnPartition(5);
        insert(slowId, slow);
        insert(quickId, quick);

        UUID slowRebuild = rebuild(slowId);
        await("the slow registry to be syncing", Duration.ofSeconds(30), () -> "syncing".equals(syncStatus(slowId)));
        UUID quickRebuild = rebuild(quickId);

        await("the quick registry synced", Duration.ofSeconds(30), () -> "ok".equals(progressStatus(quickRebuild)));
        assertThat(progressStatus(slowRebuild)).as("the slow registry, queued first on the same partition")
                .isEqualTo("syncing");
        assertThat(awaitRebuild(slowRebuild)).isEqualTo("ok");
        assertIndexMatches(slowId, slow);
        assertIndexMatches(quickId, quick);
    }

    @Test
    void partitionsHandedToAnotherMemberMidRebuildLoseNothingAndRepeatNothing() throws Exception {
        // One slow registry per partition: with three runners, some finish, some run and some wait
        // when a second member joins the group and takes half of the partitions.
        Map<Integer, UUID> byPartition = new HashMap<>();
        Map<UUID, SimulatedRegistry> registries = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            UUID id = idOnPartition(p);
            SimulatedRegistry registry = slowRegistry(16, Duration.ofMillis(500));
            insert(id, registry);
            byPartition.put(p, id);
            registries.put(id, registry);
        }
        Map<UUID, UUID> rebuilds = new HashMap<>();
        for (UUID id : byPartition.values()) {
            rebuilds.put(id, rebuild(id));
        }
        await("a first registry synced", Duration.ofSeconds(60),
                () -> rebuilds.values().stream().anyMatch(r -> "ok".equals(progressStatus(r))));

        Map<Integer, String> statusAtHandOver = new HashMap<>();
        Set<String> delivered = new HashSet<>();
        try (KafkaConsumer<String, byte[]> intruder = intruder()) {
            intruder.subscribe(List.of(topics().commands()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    for (TopicPartition tp : partitions) {
                        statusAtHandOver.put(tp.partition(), progressStatus(rebuilds.get(byPartition.get(tp.partition()))));
                    }
                }
            });
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (statusAtHandOver.isEmpty() && System.nanoTime() < deadline) {
                intruder.poll(Duration.ofMillis(100)).forEach(r -> delivered.add(r.key()));
            }
            assertThat(statusAtHandOver).as("partitions handed to the second member").isNotEmpty();
            long more = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < more) {
                intruder.poll(Duration.ofMillis(100)).forEach(r -> delivered.add(r.key()));
            }
            // leaves without committing: the worker gets the partitions back and runs what it was given
        }

        // No partition was handed over while its registry was being synced...
        assertThat(statusAtHandOver.values()).doesNotContain("syncing");
        // ...and the new owner got exactly the commands not finished there: nothing lost, nothing repeated.
        Set<String> unfinished = new HashSet<>();
        statusAtHandOver.forEach((p, status) -> {
            if (!"ok".equals(status)) {
                unfinished.add(byPartition.get(p).toString());
            }
        });
        assertThat(delivered).isEqualTo(unfinished);

        for (UUID id : byPartition.values()) {
            // "coalesced" would mean a finished rebuild was delivered again
            assertThat(awaitRebuild(rebuilds.get(id))).as("rebuild of %s", id).isEqualTo("ok");
            assertIndexMatches(id, registries.get(id));
        }
    }

    private SimulatedRegistry slowRegistry(int agents, Duration perRecord) {
        SimulatedRegistry registry = simulator.addRegistry("slow-" + NAMES.incrementAndGet(), agents, 29L);
        registry.setFault(new Fault.Hang(Fault.Target.records(), perRecord, 0));
        return registry;
    }

    private KafkaConsumer<String, byte[]> intruder() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, TOPIC_PREFIX + "indexer",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName()),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    private void insert(UUID id, SimulatedRegistry registry) {
        jdbc.sql("INSERT INTO marketplace_registries (id, name, url) VALUES (?, ?, ?)")
                .params(id, registry.name(), registry.baseUrl()).update();
    }

    private UUID rebuild(UUID registryId) {
        UUID rebuild = UUID.randomUUID();
        try {
            kafka.send(topics().commands(), registryId.toString(), codec.encode(new RegistryCommand.Rebuild(rebuild,
                    registryId, Instant.now(), RebuildReason.OPERATOR, false))).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("could not send the rebuild", e);
        }
        return rebuild;
    }

    private String syncStatus(UUID id) {
        return jdbc.sql("SELECT sync_status FROM marketplace_registries WHERE id = ?").param(id)
                .query(String.class).optional().orElse(null);
    }

    /** A registry id whose commands land on {@code partition}, as the producer's key hashing places them. */
    private static UUID idOnPartition(int partition) {
        while (true) {
            UUID id = UUID.randomUUID();
            byte[] key = id.toString().getBytes(StandardCharsets.UTF_8);
            if (Utils.toPositive(Utils.murmur2(key)) % PARTITIONS == partition) {
                return id;
            }
        }
    }
}
