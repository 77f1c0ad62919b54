package io.marketplaceindex.api.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The index's state as gauges, for dashboards and alerts: registries by sync status, the consecutive
 * failed syncs of each enabled registry, and the age of the catalog generation. Read from PostgreSQL on
 * the schedule of the generation poll; every replica reports the same values, so dashboards aggregate
 * them with {@code max}, never {@code sum}.
 *
 * <p>Tags stay bounded: a status is one of six words, and a registry is its id (as many as operators
 * connect); never a URL, a name or a handle.
 */
@Component
class IndexStateMeters {

    private static final Logger log = LoggerFactory.getLogger(IndexStateMeters.class);

    /** marketplace_registries.sync_status, and "disabled" for a registry that is not enabled. */
    static final List<String> STATUSES = List.of("pending", "syncing", "ok", "stale", "failed", "disabled");

    // marketplace_registries is one row per registry (a few thousand at most): read whole, no index used
    private static final String REGISTRIES = """
            SELECT id::text AS id, CASE WHEN enabled THEN sync_status ELSE 'disabled' END AS status,
                   enabled, consecutive_failures
            FROM marketplace_registries
            """;
    // the one row of the catalog state (primary key id = 1)
    private static final String GENERATION = "SELECT built_at FROM marketplace_catalog_state WHERE id = 1";

    private record RegistryRow(String id, String status, boolean enabled, int consecutiveFailures) {
    }

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Map<String, AtomicLong> byStatus = new LinkedHashMap<>();
    private final MultiGauge consecutiveFailures;
    /** when the current catalog generation was built; null before the first one */
    private final AtomicReference<Instant> generationBuiltAt = new AtomicReference<>();

    IndexStateMeters(JdbcClient jdbc, Clock clock, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.clock = clock;
        for (String status : STATUSES) {
            AtomicLong count = new AtomicLong();
            byStatus.put(status, count);
            Gauge.builder("marketplace.registries", count, AtomicLong::get)
                    .description("Registries by sync status (disabled ones as 'disabled')")
                    .tag("status", status)
                    .register(meters);
        }
        this.consecutiveFailures = MultiGauge.builder("marketplace.registry.consecutive.failures")
                .description("Failed syncs in a row of each enabled registry (0 after a success)")
                .register(meters);
        Gauge.builder("marketplace.catalog.generation.age", this, IndexStateMeters::generationAgeSeconds)
                .description("Time since the current catalog generation was built (NaN before the first)")
                .baseUnit("seconds")
                .register(meters);
    }

    @Scheduled(fixedDelayString = "${marketplace.cache.generation-poll-interval:PT5S}")
    void poll() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("could not read the index's state for its gauges: {}", e.getMessage());
        }
    }

    void refresh() {
        List<RegistryRow> registries = jdbc.sql(REGISTRIES).query(RegistryRow.class).list();
        Map<String, Long> counts = new LinkedHashMap<>();
        for (RegistryRow row : registries) {
            counts.merge(row.status(), 1L, Long::sum);
        }
        byStatus.forEach((status, gauge) -> gauge.set(counts.getOrDefault(status, 0L)));
        // overwrite: a registry removed or disabled since the last poll loses its series
        consecutiveFailures.register(registries.stream()
                .filter(RegistryRow::enabled)
                .map(row -> MultiGauge.Row.of(Tags.of("registry", row.id()), row.consecutiveFailures()))
                .toList(), true);
        List<Timestamp> built = jdbc.sql(GENERATION).query(Timestamp.class).list();
        Timestamp builtAt = built.isEmpty() ? null : built.get(0);
        generationBuiltAt.set(builtAt == null ? null : builtAt.toInstant());
    }

    private double generationAgeSeconds() {
        Instant builtAt = generationBuiltAt.get();
        return builtAt == null ? Double.NaN : Duration.between(builtAt, clock.instant()).toMillis() / 1000.0;
    }
}
