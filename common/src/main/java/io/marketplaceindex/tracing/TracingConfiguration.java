package io.marketplaceindex.tracing;

import io.micrometer.core.instrument.config.MeterFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What both services share about traces (docs/tracing.md). Spans of our own are Micrometer
 * observations named under {@link #SPAN_ONLY}: the services' meter handler would make each of them a
 * timer too, duplicating the meters that already measure the same work (a sync, a registry request)
 * and costing a meter lookup per registry request, so those meters are denied.
 */
@Configuration(proxyBeanMethods = false)
public class TracingConfiguration {

    /** Prefix of the observations that are spans only. */
    public static final String SPAN_ONLY = "marketplace.span.";

    @Bean
    public MeterFilter spanOnlyObservationsAreNotMeters() {
        return MeterFilter.denyNameStartsWith(SPAN_ONLY);
    }
}
