package io.marketplaceindex.e2e;

import io.marketplaceindex.e2e.OtlpReceiver.Span;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.testsupport.ServiceProcesses.ServiceProcess;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the platform's Prometheus and tracing backend see of one rebuild, on one stack (the services
 * start once for both):
 * <ul>
 * <li>{@code /actuator/prometheus} of the api-service and of a worker (on the worker's management
 *     port, its only listener) holds every meter docs/operations.md lists and the alert rules and
 *     dashboard in
 *     {@code deploy/} use, with latency as histograms and no tag that grows with the catalog (no
 *     handle, no URL);</li>
 * <li>the rebuild is one trace across both services, as an OTLP collector receives it: the operator's
 *     request, the command it publishes, the worker's sync with each of its HTTP requests and its
 *     commit, the change event and the api-service's cache bust, each span the child of the one
 *     before. The worker is told where to export by the SDK's standard variable
 *     ({@code OTEL_EXPORTER_OTLP_ENDPOINT}), the api-service by Spring Boot's key: both ways are what
 *     docs/tracing.md promises.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityE2EIT {

    /** One series of the text format: name, labels, value. */
    private record Series(String name, Map<String, String> labels, String line) {
    }

    private static final Pattern SERIES = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+).*$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final OtlpReceiver collector = new OtlpReceiver();
    private SystemStack stack;
    private Api api;
    private SimulatedRegistry registry;
    private String rebuildId;

    @BeforeAll
    void startAndRebuild() {
        // a stack of its own: the shared one's registries are counted by other classes
        stack = SystemStack.start(SystemStack.Options.defaults().withName("e2e_observability").withWorkers(1)
                .withWorkerEnv(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", collector.baseUrl(),
                        "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_SCHEDULE_DELAY", "200ms"))
                .withApiEnv(Map.of("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT",
                        collector.baseUrl() + "/v1/traces",
                        "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_SCHEDULE_DELAY", "200ms")));
        api = new Api(stack.apiUrl());
        registry = stack.simulator().addRegistry("metered", 40, 71L);
        assertThat(api.asAdmin("POST", "/api/settings/registries",
                "{\"name\":\"metered\",\"url\":\"" + registry.baseUrl() + "\"}").status()).isEqualTo(202);
        api.awaitCatalog("the registry indexed", Duration.ofSeconds(90),
                page -> page.get("total").asLong() == registry.size());
        registry.updateAgent(registry.handles().get(3), "Renamed For The Meters");
        Api.Answer rebuild = api.asAdmin("POST", "/api/marketplace/index-rebuild", null);
        assertThat(rebuild.status()).isEqualTo(202);
        rebuildId = rebuild.body().get("rebuildId").asString();
        awaitFinished(rebuildId);
        // reads through both cache tiers: a miss, then hits
        for (int i = 0; i < 3; i++) {
            assertThat(api.get("/api/marketplace?limit=5").status()).isEqualTo(200);
        }
    }

    @AfterAll
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
        collector.close();
    }

    @Test
    void theWorkerExposesItsMetersOnItsManagementPort() {
        ServiceProcess worker = stack.worker("worker-1");
        // The Kafka client's per-partition meters appear once partitions are assigned and fetched
        // from, and Micrometer looks for new client metrics once a minute: the lag and its maximum
        // need not appear in the same look (CI saw the one without the other).
        List<Series> series = Awaitility.await("the worker's Kafka lag meters").atMost(Duration.ofSeconds(150))
                .pollInterval(Duration.ofSeconds(1)).until(() -> scrape(worker.url(), null, 200),
                        scraped -> !find(scraped, "kafka_consumer_fetch_manager_records_lag").isEmpty()
                                && !find(scraped, "kafka_consumer_fetch_manager_records_lag_max").isEmpty());

        assertHistogram(series, "marketplace_sync_duration_seconds");
        assertHistogram(series, "registry_http_duration_seconds");
        assertThat(find(series, "marketplace_sync_duration_seconds_count"))
                .anySatisfy(s -> assertThat(s.labels()).containsEntry("outcome", "ok"));
        assertThat(find(series, "marketplace_sync_rows_written_total")).isNotEmpty();
        assertThat(find(series, "marketplace_sync_commit_seconds_count")).isNotEmpty();
        assertThat(find(series, "registry_http_requests_total"))
                .anySatisfy(s -> assertThat(s.labels()).containsKeys("registry", "target", "outcome"));
        assertThat(find(series, "kafka_consumer_fetch_manager_records_lag"))
                .anySatisfy(s -> assertThat(s.labels()).containsKeys("topic", "partition"));
        assertThat(find(series, "kafka_consumer_fetch_manager_records_lag_max")).isNotEmpty();
        assertThat(find(series, "marketplace_commands_total"))
                .anySatisfy(s -> assertThat(s.labels()).containsEntry("outcome", "dead_letter"))
                .anySatisfy(s -> assertThat(s.labels()).containsEntry("outcome", "done"));
        assertThat(find(series, "marketplace_commands_running")).isNotEmpty();
        assertThat(find(series, "marketplace_catalog_changes_unpublished_total")).isNotEmpty();
        assertBoundedTags(series);
    }

    @Test
    void theApiServiceExposesItsMetersToTheAdminOnly() {
        assertThat(status(stack.apiUrl() + "/actuator/prometheus", null)).isEqualTo(401);
        // the registries' gauges follow the database on the generation poll (every 5 s)
        List<Series> series = Awaitility.await("the registries' gauge at one ok").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(500)).until(() -> scrape(stack.apiUrl(), SystemStack.ADMIN_TOKEN, 200),
                        scraped -> value(scraped, "marketplace_registries", Map.of("status", "ok")) == 1.0);

        assertHistogram(series, "http_server_requests_seconds");
        assertThat(find(series, "marketplace_cache_requests_total"))
                .anySatisfy(s -> assertThat(s.labels()).containsEntry("tier", "local").containsEntry("result", "hit"))
                .anySatisfy(s -> assertThat(s.labels()).containsEntry("tier", "redis").containsEntry("result", "miss"));
        assertThat(value(series, "marketplace_cache_requests_total", Map.of("tier", "local", "result", "hit")))
                .isGreaterThan(0);
        assertThat(find(series, "marketplace_catalog_generation_age_seconds")).singleElement()
                .satisfies(s -> assertThat(Double.parseDouble(s.line().split(" ")[1])).isBetween(0.0, 600.0));
        for (String status : List.of("pending", "syncing", "ok", "stale", "failed", "disabled")) {
            assertThat(find(series, "marketplace_registries"))
                    .anySatisfy(s -> assertThat(s.labels()).containsEntry("status", status));
        }
        assertThat(value(series, "marketplace_registries", Map.of("status", "ok"))).isEqualTo(1.0);
        assertThat(find(series, "marketplace_registry_consecutive_failures")).singleElement()
                .satisfies(s -> assertThat(s.labels()).containsKey("registry"));
        assertThat(find(series, "kafka_consumer_fetch_manager_records_lag_max")).isNotEmpty();
        assertBoundedTags(series);
    }

    @Test
    void theRebuildIsOneTraceFromTheRequestToTheCacheBust() {
        Span sync = awaitSpan("the registry's sync", s -> s.name().equals("registry sync")
                && rebuildId.equals(s.attributes().get("rebuild.id")));
        String traceId = sync.traceId();
        Span bust = awaitSpan("the cache bust", s -> s.traceId().equals(traceId)
                && s.service().equals("api-service") && s.kind().equals("SPAN_KIND_CONSUMER"));
        List<Span> trace = collector.spans().stream().filter(s -> s.traceId().equals(traceId)).toList();

        Span request = only(trace, s -> s.service().equals("api-service") && s.kind().equals("SPAN_KIND_SERVER"));
        assertThat(request.name()).isEqualTo("http post /api/marketplace/index-rebuild");
        Span published = only(trace, s -> s.service().equals("api-service") && s.kind().equals("SPAN_KIND_PRODUCER"));
        assertThat(ancestors(trace, published)).as("the command is published within the request").contains(request);
        Span command = only(trace, s -> s.service().equals("indexer-worker") && s.kind().equals("SPAN_KIND_CONSUMER"));
        assertThat(command.parentSpanId()).as("the worker continues the command's context")
                .isEqualTo(published.spanId());
        assertThat(sync.parentSpanId()).isEqualTo(command.spanId());
        assertThat(sync.attributes()).containsEntry("reason", "operator");

        List<Span> fetches = trace.stream().filter(s -> s.name().startsWith("GET registry ")).toList();
        assertThat(fetches).allSatisfy(f -> assertThat(f.parentSpanId()).isEqualTo(sync.spanId()));
        assertThat(fetches).filteredOn(f -> f.name().equals("GET registry listing")).hasSize(1);
        assertThat(fetches).filteredOn(f -> f.name().equals("GET registry record")).hasSize(registry.size());
        assertThat(fetches).filteredOn(f -> f.name().equals("GET registry card")).isNotEmpty();

        Span commit = only(trace, s -> s.name().equals("registry sync commit"));
        assertThat(commit.parentSpanId()).isEqualTo(sync.spanId());
        assertThat(commit.attributes()).containsEntry("outcome", "committed");
        Span announced = only(trace, s -> s.service().equals("indexer-worker") && s.kind().equals("SPAN_KIND_PRODUCER"));
        assertThat(announced.parentSpanId()).isEqualTo(sync.spanId());
        assertThat(bust.parentSpanId()).as("the api-service's cache bust continues the change event's context")
                .isEqualTo(announced.spanId());
    }

    private static void assertHistogram(List<Series> series, String name) {
        assertThat(find(series, name + "_bucket")).as(name + " as a histogram")
                .hasSizeGreaterThan(5)
                .anySatisfy(s -> assertThat(s.labels()).containsEntry("le", "+Inf"));
    }

    /** No label that grows with the catalog: handles and URLs never become series. */
    private static void assertBoundedTags(List<Series> series) {
        for (Series s : series) {
            if (s.name().startsWith("marketplace_") || s.name().startsWith("registry_")
                    || s.name().startsWith("http_server_")) {
                assertThat(s.labels().keySet()).as(s.line()).doesNotContain("handle", "url", "registry_url");
                assertThat(s.labels().values()).as(s.line()).noneMatch(v -> v.contains("://"));
            }
        }
    }

    private static List<Series> find(List<Series> series, String name) {
        return series.stream().filter(s -> s.name().equals(name)).toList();
    }

    private static double value(List<Series> series, String name, Map<String, String> labels) {
        return find(series, name).stream()
                .filter(s -> s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(s -> Double.parseDouble(s.line().substring(s.line().lastIndexOf(' ') + 1)))
                .sum();
    }

    private List<Series> scrape(String base, String token, int expectedStatus) {
        HttpResponse<String> response = send(base + "/actuator/prometheus", token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        List<Series> series = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SERIES.matcher(line);
            assertThat(m.matches()).as(line).isTrue();
            Map<String, String> labels = new java.util.LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher label = LABEL.matcher(m.group(3));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            series.add(new Series(m.group(1), labels, m.group(1) + " " + m.group(4)));
        }
        return series;
    }

    private int status(String url, String token) {
        return send(url, token).statusCode();
    }

    private HttpResponse<String> send(String url, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Span only(List<Span> trace, Predicate<Span> which) {
        List<Span> found = trace.stream().filter(which).toList();
        assertThat(found).as("in " + names(trace)).hasSize(1);
        return found.get(0);
    }

    /** The span's parents up to the trace's root, nearest first. */
    private static List<Span> ancestors(List<Span> trace, Span span) {
        List<Span> chain = new ArrayList<>();
        for (Optional<Span> parent = parent(trace, span); parent.isPresent(); parent = parent(trace, parent.get())) {
            chain.add(parent.get());
        }
        return chain;
    }

    private static Optional<Span> parent(List<Span> trace, Span span) {
        return trace.stream().filter(s -> s.spanId().equals(span.parentSpanId())).findFirst();
    }

    private static List<String> names(List<Span> spans) {
        return spans.stream().map(s -> s.service() + ":" + s.kind() + ":" + s.name()).toList();
    }

    /** Spans leave a service in batches (every 200 ms here). */
    private Span awaitSpan(String what, Predicate<Span> which) {
        try {
            return Awaitility.await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> collector.spans().stream().filter(which).findFirst(), Optional::isPresent).get();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no span for " + what + " among " + names(collector.spans()), e);
        }
    }

    private void awaitFinished(String rebuildId) {
        api.awaitAdmin("the rebuild to finish", Duration.ofSeconds(60), "/api/marketplace/index-rebuild/" + rebuildId,
                answer -> answer.body().get("finished").asInt() == 1);
    }
}
