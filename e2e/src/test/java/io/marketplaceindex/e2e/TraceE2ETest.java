package io.marketplaceindex.e2e;

import io.marketplaceindex.e2e.OtlpReceiver.Span;
import io.marketplaceindex.simulator.SimulatedRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One rebuild is one trace across both services, as a tracing backend receives it over OTLP: the
 * operator's request to the api-service, the command it publishes, the worker's sync of the registry
 * with each of its HTTP requests and its commit, the change event, and the api-service's cache bust
 * on that event, each span the child of the one before.
 *
 * <p>The worker is told where to export by the SDK's standard variable ({@code OTEL_EXPORTER_OTLP_ENDPOINT}),
 * the api-service by Spring Boot's key: both ways are what the documentation promises.
 */
class TraceE2ETest {

    private static final int AGENTS = 5;

    @Test
    void aRebuildIsOneTraceFromTheRequestToTheCacheBust() {
        try (OtlpReceiver receiver = new OtlpReceiver();
             SystemStack stack = SystemStack.start(SystemStack.Options.defaults().withName("e2e_trace").withWorkers(1)
                     .withWorkerEnv(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.baseUrl(),
                             "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_SCHEDULE_DELAY", "200ms"))
                     .withApiEnv(Map.of("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT",
                             receiver.baseUrl() + "/v1/traces",
                             "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_SCHEDULE_DELAY", "200ms")))) {
            Api api = new Api(stack.apiUrl());
            SimulatedRegistry registry = stack.simulator().addRegistry("traced", AGENTS, 83L);
            assertThat(api.asAdmin("POST", "/api/settings/registries",
                    "{\"name\":\"traced\",\"url\":\"" + registry.baseUrl() + "\"}").status()).isEqualTo(202);
            api.awaitCatalog("the registry indexed", Duration.ofSeconds(90),
                    page -> page.get("total").asLong() == AGENTS);
            // a change, so that the rebuild commits a new generation and announces it
            registry.updateAgent(registry.handles().get(1), "Renamed For The Trace");

            Api.Answer rebuild = api.asAdmin("POST", "/api/marketplace/index-rebuild", null);
            assertThat(rebuild.status()).isEqualTo(202);
            awaitFinished(api, rebuild.body().get("rebuildId").asString());

            Span request = await(receiver, "the rebuild request", s -> s.service().equals("api-service")
                    && s.kind().equals("SPAN_KIND_SERVER") && s.name().contains("/api/marketplace/index-rebuild"));
            String traceId = request.traceId();
            Span bust = await(receiver, "the cache bust", s -> s.traceId().equals(traceId)
                    && s.service().equals("api-service") && s.kind().equals("SPAN_KIND_CONSUMER"));
            List<Span> trace = receiver.spans().stream().filter(s -> s.traceId().equals(traceId)).toList();

            Span published = only(trace, s -> s.service().equals("api-service") && s.kind().equals("SPAN_KIND_PRODUCER"));
            assertThat(ancestors(trace, published)).as("the command is published within the request")
                    .contains(request);
            Span command = only(trace, s -> s.service().equals("indexer-worker") && s.kind().equals("SPAN_KIND_CONSUMER"));
            assertThat(command.parentSpanId()).as("the worker continues the command's context")
                    .isEqualTo(published.spanId());
            Span sync = only(trace, s -> s.name().equals("registry sync"));
            assertThat(sync.parentSpanId()).isEqualTo(command.spanId());
            assertThat(sync.attributes()).containsEntry("reason", "operator");

            List<Span> fetches = trace.stream().filter(s -> s.name().startsWith("GET registry ")).toList();
            assertThat(fetches).allSatisfy(f -> assertThat(f.parentSpanId()).isEqualTo(sync.spanId()));
            assertThat(fetches).filteredOn(f -> f.name().equals("GET registry listing")).hasSize(1);
            assertThat(fetches).filteredOn(f -> f.name().equals("GET registry record")).hasSize(AGENTS);
            assertThat(fetches).filteredOn(f -> f.name().equals("GET registry card")).isNotEmpty();

            Span commit = only(trace, s -> s.name().equals("registry sync commit"));
            assertThat(commit.parentSpanId()).isEqualTo(sync.spanId());
            assertThat(commit.attributes()).containsEntry("outcome", "committed");
            Span announced = only(trace, s -> s.service().equals("indexer-worker") && s.kind().equals("SPAN_KIND_PRODUCER"));
            assertThat(announced.parentSpanId()).isEqualTo(sync.spanId());
            assertThat(bust.parentSpanId()).as("the api-service's cache bust continues the change event's context")
                    .isEqualTo(announced.spanId());
        }
    }

    private static Span only(List<Span> trace, Predicate<Span> which) {
        List<Span> found = trace.stream().filter(which).toList();
        assertThat(found).as("in " + names(trace)).hasSize(1);
        return found.get(0);
    }

    /** The span's parents up to the trace's root, nearest first. */
    private static List<Span> ancestors(List<Span> trace, Span span) {
        List<Span> chain = new java.util.ArrayList<>();
        Optional<Span> parent = parent(trace, span);
        while (parent.isPresent()) {
            chain.add(parent.get());
            parent = parent(trace, parent.get());
        }
        return chain;
    }

    private static Optional<Span> parent(List<Span> trace, Span span) {
        return trace.stream().filter(s -> s.spanId().equals(span.parentSpanId())).findFirst();
    }

    private static List<String> names(List<Span> trace) {
        return trace.stream().map(s -> s.service() + ":" + s.kind() + ":" + s.name()).toList();
    }

    private static Span await(OtlpReceiver receiver, String what, Predicate<Span> which) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Span> found = receiver.spans().stream().filter(which).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            SystemStack.sleep(200);
        }
        throw new AssertionError("no span for " + what + " among " + names(receiver.spans()));
    }

    private static void awaitFinished(Api api, String rebuildId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode progress = null;
        while (System.nanoTime() < deadline) {
            progress = api.asAdmin("GET", "/api/marketplace/index-rebuild/" + rebuildId, null).body();
            if (progress.get("finished").asInt() == 1) {
                return;
            }
            SystemStack.sleep(250);
        }
        throw new AssertionError("rebuild did not finish: " + progress);
    }
}
