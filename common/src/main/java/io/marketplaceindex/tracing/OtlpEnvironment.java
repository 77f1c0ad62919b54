package io.marketplaceindex.tracing;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Lets the OpenTelemetry SDK's standard variables switch span export on, as platforms set them for
 * every service: Spring Boot reads its own key ({@code management.opentelemetry.tracing.export.otlp.*})
 * and would ignore them. Boot's key, wherever it is set, wins; with neither set nothing is exported.
 * <ul>
 * <li>{@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}: the URL spans are sent to, as it stands;</li>
 * <li>else {@code OTEL_EXPORTER_OTLP_ENDPOINT}: the collector's base URL, to which OTLP/HTTP adds
 *     {@code /v1/traces} (the SDK's own rule);</li>
 * <li>{@code OTEL_EXPORTER_OTLP_TRACES_PROTOCOL} or {@code OTEL_EXPORTER_OTLP_PROTOCOL}: {@code grpc}
 *     sends over gRPC, anything else over HTTP (protobuf);</li>
 * <li>{@code OTEL_TRACES_EXPORTER=none}: no export whatever the endpoint says.</li>
 * </ul>
 * {@code OTEL_SERVICE_NAME} and {@code OTEL_RESOURCE_ATTRIBUTES} Spring Boot reads itself.
 */
public class OtlpEnvironment implements EnvironmentPostProcessor {

    static final String ENDPOINT = "management.opentelemetry.tracing.export.otlp.endpoint";
    static final String TRANSPORT = "management.opentelemetry.tracing.export.otlp.transport";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> derived = derive(environment);
        if (!derived.isEmpty()) {
            // last: any source that names Boot's keys (arguments, environment, application.yml) wins
            environment.getPropertySources().addLast(new MapPropertySource("otelExporterVariables", derived));
        }
    }

    static Map<String, Object> derive(ConfigurableEnvironment environment) {
        Map<String, Object> derived = new HashMap<>();
        if (environment.containsProperty(ENDPOINT)
                || "none".equalsIgnoreCase(value(environment, "OTEL_TRACES_EXPORTER"))) {
            return derived;
        }
        String protocol = value(environment, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL");
        if (protocol == null) {
            protocol = value(environment, "OTEL_EXPORTER_OTLP_PROTOCOL");
        }
        boolean grpc = protocol != null && protocol.toLowerCase(Locale.ROOT).startsWith("grpc");
        String endpoint = value(environment, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        if (endpoint == null) {
            String base = value(environment, "OTEL_EXPORTER_OTLP_ENDPOINT");
            if (base == null) {
                return derived;
            }
            endpoint = grpc ? base : base.replaceAll("/+$", "") + "/v1/traces";
        }
        derived.put(ENDPOINT, endpoint);
        derived.put(TRANSPORT, grpc ? "grpc" : "http");
        return derived;
    }

    private static String value(ConfigurableEnvironment environment, String name) {
        String value = environment.getProperty(name);
        return value == null || value.isBlank() ? null : value.trim();
    }
}
