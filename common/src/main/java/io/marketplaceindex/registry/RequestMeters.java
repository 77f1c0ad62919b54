package io.marketplaceindex.registry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * One registry's request meters. Every request records its outcome, and registering a meter by name
 * and tags each time (building and hashing its id) cost more CPU than the rest of a request's
 * bookkeeping, so each meter is looked up here once: by target, then by outcome (a constant string).
 */
final class RequestMeters {
    private final String registryId;
    private final MeterRegistry meters;
    private final Map<FetchTarget, ConcurrentMap<String, Counter>> counters = new EnumMap<>(FetchTarget.class);
    private final Map<FetchTarget, ConcurrentMap<String, Timer>> timers = new EnumMap<>(FetchTarget.class);

    RequestMeters(String registryId, MeterRegistry meters) {
        this.registryId = registryId;
        this.meters = meters;
        for (FetchTarget target : FetchTarget.values()) {
            counters.put(target, new ConcurrentHashMap<>());
            timers.put(target, new ConcurrentHashMap<>());
        }
    }

    void record(FetchTarget target, String outcome, long nanos) {
        counters.get(target).computeIfAbsent(outcome, o -> Counter.builder("registry.http.requests")
                .description("HTTP requests to registries and card hosts, by outcome")
                .tag("registry", registryId)
                .tag("target", target.tag)
                .tag("outcome", o)
                .register(meters)).increment();
        if (nanos > 0) {
            timers.get(target).computeIfAbsent(outcome, o -> Timer.builder("registry.http.duration")
                    .description("Duration of one attempt including redirects and body")
                    .tag("registry", registryId)
                    .tag("target", target.tag)
                    .tag("outcome", o)
                    .register(meters)).record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
