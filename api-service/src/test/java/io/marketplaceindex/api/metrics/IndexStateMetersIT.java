package io.marketplaceindex.api.metrics;

import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.testsupport.CatalogSeeder;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The index's state as gauges, read from the real database: registries by sync status, consecutive
 * failures per enabled registry (tagged by id, never by URL), the catalog generation's age; and all of
 * it scraped over HTTP at /actuator/prometheus by the admin only.
 */
class IndexStateMetersIT extends ApiTestSupport {

    @Autowired
    IndexStateMeters indexState;

    @Autowired
    MeterRegistry meters;

    @Test
    void registriesByStatusFailuresInARowAndTheGenerationsAge() throws Exception {
        UUID failing;
        UUID disabled;
        UUID healthy;
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            failing = seeder.registry("failing", "http://failing.example/" + UUID.randomUUID());
            disabled = seeder.registry("disabled", "http://disabled.example/" + UUID.randomUUID());
            healthy = seeder.registry("healthy", "http://healthy.example/" + UUID.randomUUID());
            seeder.agents(healthy, List.of());
        }
        try {
            sql("UPDATE marketplace_registries SET sync_status = 'stale', consecutive_failures = 4 WHERE id = ?", failing);
            sql("UPDATE marketplace_registries SET enabled = false, consecutive_failures = 2 WHERE id = ?", disabled);

            indexState.refresh();

            // the suite shares its database: compare with what it holds rather than with fixed numbers
            for (String status : IndexStateMeters.STATUSES) {
                long expected = ((Number) sql("SELECT count(*) FROM marketplace_registries WHERE "
                        + "(CASE WHEN enabled THEN sync_status ELSE 'disabled' END) = ?", status)).longValue();
                assertThat(gauge("marketplace.registries", "status", status).value()).as(status).isEqualTo(expected);
            }
            assertThat(gauge("marketplace.registries", "status", "stale").value()).isGreaterThanOrEqualTo(1);
            assertThat(gauge("marketplace.registry.consecutive.failures", "registry", failing.toString()).value())
                    .isEqualTo(4);
            assertThat(gauge("marketplace.registry.consecutive.failures", "registry", healthy.toString()).value())
                    .isZero();
            assertThat(meters.find("marketplace.registry.consecutive.failures").tag("registry", disabled.toString())
                    .gauge()).as("a disabled registry is not failing").isNull();
            assertThat(gauge("marketplace.catalog.generation.age", null, null).value()).isBetween(0.0, 120.0);

            // removed: its series goes with it
            sql("DELETE FROM marketplace_registries WHERE id = ?", failing);
            indexState.refresh();
            assertThat(meters.find("marketplace.registry.consecutive.failures").tag("registry", failing.toString())
                    .gauge()).isNull();

            assertThat(get("/actuator/prometheus").status()).isEqualTo(401);
            HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(uri("/actuator/prometheus"))
                    .headers(admin()).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body())
                    .contains("marketplace_registries{status=\"disabled\"}")
                    .contains("marketplace_registry_consecutive_failures{registry=\"" + healthy + "\"}")
                    .contains("marketplace_catalog_generation_age_seconds ")
                    .contains("marketplace_cache_requests_total{result=\"hit\",tier=\"local\"}")
                    .doesNotContain("http://healthy.example");
        } finally {
            sql("DELETE FROM marketplace_registries WHERE id IN (?, ?, ?)", failing, disabled, healthy);
        }
    }

    private Gauge gauge(String name, String tag, String value) {
        var search = meters.find(name);
        Gauge gauge = tag == null ? search.gauge() : search.tag(tag, value).gauge();
        assertThat(gauge).as(name + " " + tag + "=" + value).isNotNull();
        return gauge;
    }
}
