package io.marketplaceindex.worker.command;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.logging.SyncLogContext;
import io.marketplaceindex.registry.RegistryClient;
import io.marketplaceindex.simulator.Fault;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.worker.WorkerTestSupport;
import io.marketplaceindex.worker.sync.SyncProperties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.KafkaOperations;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every log line about a sync names its registry and rebuild, on the command's thread and on the
 * fetch pool's threads alike, and no thread keeps the ids once the command is done.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyncLogContextIT extends WorkerTestSupport {

    private static final String TOKEN = "s3cret-registry-token-" + UUID.randomUUID();

    @Autowired
    KafkaOperations<String, byte[]> kafka;

    @Autowired
    CommandRunner runner;

    @Autowired
    ExecutorService fetchExecutor;

    @Autowired
    SyncProperties properties;

    private RegistrySimulator simulator;
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    // the registry client's package: its retries are logged by the part of it that retries
    private final Logger client = (Logger) LoggerFactory.getLogger(RegistryClient.class.getPackageName());
    private Level clientLevel;

    @BeforeAll
    void start() {
        simulator = RegistrySimulator.start(SimulatorOptions.defaults());
    }

    @AfterAll
    void stop() {
        simulator.close();
    }

    @BeforeEach
    void capture() {
        captured.start();
        root.addAppender(captured);
        // the client's retries are logged at DEBUG, on the fetch pool's threads
        clientLevel = client.getLevel();
        client.setLevel(Level.DEBUG);
    }

    @AfterEach
    void release() {
        root.detachAppender(captured);
        captured.stop();
        client.setLevel(clientLevel);
    }

    @Test
    void everyLineOfASyncOverKafkaNamesItsRegistryAndRebuildAndNoneNamesTheToken() throws Exception {
        SimulatedRegistry registry = simulator.addRegistry("logs-connect", 12, 31L);
        registry.setFault(Fault.status(Fault.Target.records(), 500).firstRequests(3));
        UUID id = UUID.randomUUID();
        RegistryCommand.Connect connect = new RegistryCommand.Connect(UUID.randomUUID(), id, Instant.now(),
                "Logs test", registry.baseUrl(), TOKEN);
        kafka.send(topics().commands(), id.toString(), codec.encode(connect)).get(10, TimeUnit.SECONDS);

        await("registry synced", Duration.ofSeconds(60), () -> "ok".equals(status(id)));
        await("sync reported", Duration.ofSeconds(10),
                () -> events().stream().anyMatch(e -> e.getFormattedMessage().contains(id + " synced")));

        List<ILoggingEvent> aboutTheSync = events().stream()
                .filter(e -> e.getFormattedMessage().contains(id.toString()))
                .toList();
        assertThat(aboutTheSync).as("lines about the sync").isNotEmpty();
        assertThat(aboutTheSync)
                .as("retries are logged on the fetch pool")
                .anyMatch(e -> e.getThreadName().startsWith("registry-fetch-"));
        assertThat(aboutTheSync).allSatisfy(e -> assertThat(e.getMDCPropertyMap())
                .as(e.getThreadName() + ": " + e.getFormattedMessage())
                .containsEntry(SyncLogContext.REGISTRY_ID, id.toString())
                .containsEntry(SyncLogContext.REBUILD_ID, connect.commandId().toString()));
        assertThat(events()).noneMatch(e -> e.toString().contains(TOKEN)
                || e.getFormattedMessage().contains(TOKEN)
                || e.getMDCPropertyMap().values().stream().anyMatch(v -> v.contains(TOKEN))
                || (e.getThrowableProxy() != null && e.getThrowableProxy().getMessage() != null
                    && e.getThrowableProxy().getMessage().contains(TOKEN)));
        assertFetchThreadsCarryNoContext();
    }

    @Test
    void theRunnersThreadKeepsNoContextOnceTheCommandIsDone() throws Exception {
        SimulatedRegistry registry = simulator.addRegistry("logs-rebuild", 8, 32L);
        UUID id = register(registry);
        UUID rebuild = UUID.randomUUID();
        RegistryCommand rebuildCommand = new RegistryCommand.Rebuild(rebuild, id, Instant.now(),
                RebuildReason.OPERATOR, false);
        MDC.put("unrelated", "kept");

        runner.run(new ConsumerRecord<>(topics().commands(), 0, 0L, id.toString(), codec.encode(rebuildCommand)));

        assertThat(MDC.getCopyOfContextMap()).isEqualTo(Map.of("unrelated", "kept"));
        MDC.clear();
        List<ILoggingEvent> synced = events().stream()
                .filter(e -> e.getFormattedMessage().contains(id + " synced")).toList();
        assertThat(synced).singleElement().satisfies(e -> assertThat(e.getMDCPropertyMap())
                .containsEntry(SyncLogContext.REGISTRY_ID, id.toString())
                .containsEntry(SyncLogContext.REBUILD_ID, rebuild.toString()));
        assertFetchThreadsCarryNoContext();
    }

    private List<ILoggingEvent> events() {
        synchronized (captured) {
            return new ArrayList<>(captured.list);
        }
    }

    /** One task on each thread of the pool at once, so that every thread is looked at. */
    private void assertFetchThreadsCarryNoContext() throws Exception {
        int threads = properties.fetchThreads();
        CountDownLatch allRunning = new CountDownLatch(threads);
        List<Future<Map<String, String>>> contexts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            contexts.add(fetchExecutor.submit(() -> {
                allRunning.countDown();
                allRunning.await(10, TimeUnit.SECONDS);
                return MDC.getCopyOfContextMap();
            }));
        }
        for (Future<Map<String, String>> context : contexts) {
            Map<String, String> map = context.get(20, TimeUnit.SECONDS);
            assertThat(map == null ? Map.of() : map).isEmpty();
        }
    }

    private String status(UUID id) {
        return jdbc.sql("SELECT last_sync_status FROM marketplace_registries WHERE id = ?")
                .param(id).query(String.class).optional().orElse(null);
    }
}
