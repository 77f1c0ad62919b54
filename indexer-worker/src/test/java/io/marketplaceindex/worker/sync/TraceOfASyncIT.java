package io.marketplaceindex.worker.sync;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.logging.SyncLogContext;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.worker.WorkerTestSupport;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.test.context.TestPropertySource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sync is one trace with the request that asked for it: the command's span continues the context
 * its Kafka record carries, and the sync, each registry request (on the fetch pool's threads), the
 * commit and the change event are spans under it. The change event's record carries the trace on to
 * the api-service. Every log line about the sync names the trace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Import(TraceOfASyncIT.Spans.class)
@TestPropertySource(properties = "management.opentelemetry.tracing.export.schedule-delay=50ms")
class TraceOfASyncIT extends WorkerTestSupport {

    @TestConfiguration(proxyBeanMethods = false)
    static class Spans {
        /** Taken up by the tracer's span processor like any exporter. */
        @Bean
        InMemorySpanExporter inMemorySpans() {
            return InMemorySpanExporter.create();
        }
    }

    @Autowired
    InMemorySpanExporter spans;

    @Autowired
    ObservationRegistry observations;

    @Autowired
    KafkaOperations<String, byte[]> kafka;

    private RegistrySimulator simulator;

    @BeforeAll
    void start() {
        simulator = RegistrySimulator.start(SimulatorOptions.defaults());
    }

    @AfterAll
    void stop() {
        simulator.close();
    }

    @Test
    void aRebuildRequestAndEverythingItsSyncDoesAreOneTrace() throws Exception {
        SimulatedRegistry registry = simulator.addRegistry("traced", 6, 41L);
        UUID id = register(registry);
        UUID rebuild = UUID.randomUUID();
        ListAppender<ILoggingEvent> logs = captureLogs();
        KafkaConsumer<String, byte[]> changes = consumer(topics().catalogChanges());

        // what the api-service does: the operator's request is the current observation while the
        // command is published
        Observation request = Observation.start("test.operator.request", observations);
        try (Observation.Scope ignored = request.openScope()) {
            RegistryCommand command = new RegistryCommand.Rebuild(rebuild, id, Instant.now(), RebuildReason.OPERATOR,
                    false);
            kafka.send(topics().commands(), id.toString(), codec.encode(command)).get(10, TimeUnit.SECONDS);
        } finally {
            request.stop();
        }
        assertThat(awaitRebuild(rebuild)).isEqualTo("ok");

        SpanData sync = syncSpanOf(rebuild);
        String traceId = sync.getTraceId();
        SpanData requestSpan = awaitSpan(s -> s.getTraceId().equals(traceId)
                && s.getName().equals("test.operator.request"));
        SpanData send = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.PRODUCER
                && s.getName().equals(topics().commands() + " send"));
        SpanData received = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CONSUMER
                && s.getName().equals(topics().commands() + " process"));
        SpanData commit = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getName().equals("registry sync commit"));
        SpanData changeSent = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.PRODUCER
                && s.getName().equals(topics().catalogChanges() + " send"));
        await("every request's span", Duration.ofSeconds(10), () -> fetches(traceId).size() >= 1 + 2 * 6);

        assertThat(send.getParentSpanId()).isEqualTo(requestSpan.getSpanId());
        assertThat(received.getParentSpanId()).as("the consumer continues the record's context")
                .isEqualTo(send.getSpanId());
        assertThat(sync.getParentSpanId()).isEqualTo(received.getSpanId());
        assertThat(sync.getAttributes().asMap().toString()).contains(id.toString(), rebuild.toString());
        assertThat(commit.getParentSpanId()).isEqualTo(sync.getSpanId());
        assertThat(changeSent.getParentSpanId()).isEqualTo(sync.getSpanId());
        // the commit span ends with its transaction, before the event that announces it
        assertThat(commit.getEndEpochNanos()).isLessThanOrEqualTo(changeSent.getStartEpochNanos());

        List<SpanData> fetches = fetches(traceId);
        assertThat(fetches).allSatisfy(f -> assertThat(f.getParentSpanId()).as(f.getName())
                .isEqualTo(sync.getSpanId()));
        assertThat(fetches).extracting(SpanData::getName)
                .contains("GET registry listing", "GET registry record", "GET registry card");
        assertThat(fetches).filteredOn(f -> f.getName().equals("GET registry record")).hasSize(6);

        // the change event carries the trace to whoever reads it
        ConsumerRecord<String, byte[]> event = awaitChange(changes, id);
        Header traceparent = event.headers().lastHeader("traceparent");
        assertThat(traceparent).isNotNull();
        assertThat(new String(traceparent.value(), StandardCharsets.US_ASCII))
                .isEqualTo("00-" + traceId + "-" + changeSent.getSpanId() + "-01");

        List<ILoggingEvent> aboutTheSync = events(logs).stream()
                .filter(e -> id.toString().equals(e.getMDCPropertyMap().get(SyncLogContext.REGISTRY_ID)))
                .toList();
        assertThat(aboutTheSync).as("lines about the sync").isNotEmpty();
        assertThat(aboutTheSync).allSatisfy(e -> assertThat(e.getMDCPropertyMap())
                .as(e.getThreadName() + ": " + e.getFormattedMessage())
                .containsEntry("traceId", traceId));
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        changes.close();
    }

    /** Chunks and the run's finish are commands the worker sends itself: the trace goes along. */
    @Test
    void aChunkedRunStaysInTheTraceOfTheRebuild() throws Exception {
        int agents = 55; // over the tests' chunk threshold (50): three chunks of 20
        SimulatedRegistry registry = simulator.addRegistry("traced-large", agents, 43L);
        UUID id = register(registry);
        UUID rebuild = UUID.randomUUID();

        Observation request = Observation.start("test.operator.request", observations);
        try (Observation.Scope ignored = request.openScope()) {
            RegistryCommand command = new RegistryCommand.Rebuild(rebuild, id, Instant.now(), RebuildReason.OPERATOR,
                    false);
            kafka.send(topics().commands(), id.toString(), codec.encode(command)).get(10, TimeUnit.SECONDS);
        } finally {
            request.stop();
        }
        assertThat(awaitRebuild(rebuild)).isEqualTo("ok");

        SpanData sync = syncSpanOf(rebuild);
        String traceId = sync.getTraceId();
        SpanData commit = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getName().equals("registry sync commit"));
        awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.PRODUCER
                && s.getName().equals(topics().catalogChanges() + " send"));
        await("every record request's span", Duration.ofSeconds(10), () -> fetches(traceId).stream()
                .filter(f -> f.getName().equals("GET registry record")).count() == agents);

        List<SpanData> chunkSends = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.PRODUCER
                        && s.getParentSpanId().equals(sync.getSpanId())
                        && s.getName().equals(topics().commands() + " send"))
                .toList();
        assertThat(chunkSends).as("the chunks, sent within the sync").hasSize(3);
        assertThat(commit.getParentSpanId()).as("the run is applied by the finish command, in the same trace")
                .isNotEqualTo(sync.getSpanId());
        assertThat(spans.getFinishedSpanItems()).filteredOn(s -> s.getSpanId().equals(commit.getParentSpanId()))
                .singleElement().satisfies(finish -> {
                    assertThat(finish.getKind()).isEqualTo(SpanKind.CONSUMER);
                    assertThat(finish.getTraceId()).isEqualTo(traceId);
                });
    }

    private SpanData syncSpanOf(UUID rebuild) {
        return awaitSpan(s -> s.getName().equals("registry sync")
                && rebuild.toString().equals(s.getAttributes().get(AttributeKey.stringKey("rebuild.id"))));
    }

    private List<SpanData> fetches(String traceId) {
        return spans.getFinishedSpanItems().stream()
                .filter(s -> s.getTraceId().equals(traceId) && s.getName().startsWith("GET registry "))
                .toList();
    }

    private SpanData awaitSpan(Predicate<SpanData> which) {
        await("a span", Duration.ofSeconds(20), () -> spans.getFinishedSpanItems().stream().anyMatch(which));
        return spans.getFinishedSpanItems().stream().filter(which).findFirst().orElseThrow();
    }

    private ConsumerRecord<String, byte[]> awaitChange(KafkaConsumer<String, byte[]> consumer, UUID registryId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (registryId.toString().equals(record.key())) {
                    return record;
                }
            }
        }
        throw new AssertionError("no catalog change of " + registryId);
    }

    private static ListAppender<ILoggingEvent> captureLogs() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(appender);
        return appender;
    }

    private static List<ILoggingEvent> events(ListAppender<ILoggingEvent> appender) {
        synchronized (appender) {
            return new ArrayList<>(appender.list);
        }
    }
}
