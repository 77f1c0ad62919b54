package io.marketplaceindex.tracing;

import org.junit.jupiter.api.Test;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The SDK's standard variables turn span export on through Boot's key, which wins when it is set. */
class OtlpEnvironmentTest {

    @Test
    void nothingSetExportsNothing() {
        StandardEnvironment environment = environment(Map.of());
        new OtlpEnvironment().postProcessEnvironment(environment, null);

        assertThat(environment.getProperty(OtlpEnvironment.ENDPOINT)).isNull();
    }

    @Test
    void theBaseEndpointGetsTheTracesPathOverHttp() {
        StandardEnvironment environment = environment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"));
        new OtlpEnvironment().postProcessEnvironment(environment, null);

        assertThat(environment.getProperty(OtlpEnvironment.ENDPOINT)).isEqualTo("http://collector:4318/v1/traces");
        assertThat(environment.getProperty(OtlpEnvironment.TRANSPORT)).isEqualTo("http");
    }

    @Test
    void theTracesEndpointIsTakenAsItStands() {
        StandardEnvironment environment = environment(Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://traces.example/otlp/spans"));
        new OtlpEnvironment().postProcessEnvironment(environment, null);

        assertThat(environment.getProperty(OtlpEnvironment.ENDPOINT)).isEqualTo("https://traces.example/otlp/spans");
    }

    @Test
    void grpcKeepsTheEndpointAndSwitchesTheTransport() {
        StandardEnvironment environment = environment(Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"));
        new OtlpEnvironment().postProcessEnvironment(environment, null);

        assertThat(environment.getProperty(OtlpEnvironment.ENDPOINT)).isEqualTo("http://collector:4317");
        assertThat(environment.getProperty(OtlpEnvironment.TRANSPORT)).isEqualTo("grpc");
    }

    @Test
    void bootsOwnKeyWins() {
        StandardEnvironment environment = environment(Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
                "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT", "http://other:4318/v1/traces"));
        new OtlpEnvironment().postProcessEnvironment(environment, null);

        assertThat(environment.getProperty(OtlpEnvironment.ENDPOINT)).isEqualTo("http://other:4318/v1/traces");
    }

    @Test
    void noExporterMeansNoExport() {
        StandardEnvironment environment = environment(Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318", "OTEL_TRACES_EXPORTER", "none"));
        new OtlpEnvironment().postProcessEnvironment(environment, null);

        assertThat(environment.getProperty(OtlpEnvironment.ENDPOINT)).isNull();
    }

    /** An environment whose process environment is {@code variables}, and nothing else. */
    private static StandardEnvironment environment(Map<String, Object> variables) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().addLast(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
        return environment;
    }
}
