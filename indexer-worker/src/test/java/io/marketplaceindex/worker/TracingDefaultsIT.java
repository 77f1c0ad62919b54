package io.marketplaceindex.worker;

import io.marketplaceindex.tracing.TracingConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * As configured by default: traces are made (their ids reach the logs) and sampled, but nothing is
 * exported anywhere; and our span-only observations are not meters.
 */
class TracingDefaultsIT extends WorkerTestSupport {

    @Autowired
    ApplicationContext context;

    @Autowired
    ObservationRegistry observations;

    @Autowired
    MeterRegistry meters;

    @Autowired
    Tracer tracer;

    @Test
    void withoutAnEndpointNoSpanIsExported() {
        assertThat(context.getBeanNamesForType(SpanExporter.class)).isEmpty();

        Observation observation = Observation.start("test.sampled", observations);
        try (Observation.Scope ignored = observation.openScope()) {
            assertThat(tracer.currentSpan()).isNotNull();
            assertThat(tracer.currentSpan().context().sampled()).as("every trace is recorded").isTrue();
        } finally {
            observation.stop();
        }
    }

    @Test
    void spanOnlyObservationsAreNotMeters() {
        Observation.start(TracingConfiguration.SPAN_ONLY + "test", observations).stop();
        Observation.start("test.measured", observations).stop();

        assertThat(meters.find(TracingConfiguration.SPAN_ONLY + "test").meters()).isEmpty();
        assertThat(meters.find("test.measured").timer()).as("other observations are timed").isNotNull();
    }
}
