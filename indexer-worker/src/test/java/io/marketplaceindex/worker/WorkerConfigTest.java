package io.marketplaceindex.worker;

import io.marketplaceindex.registry.RegistryClientSettings;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The worker's registry client pool: as wide as its requests in flight, unless an operator sized it. */
class WorkerConfigTest {

    @Test
    void thePoolGrowsToTheRequestsInFlight() {
        RegistryClientSettings sized = WorkerConfig.sizedForWorker(RegistryClientSettings.defaults(), false, 24);

        assertThat(sized.maxConnectionsPerRoute()).isEqualTo(24);
        assertThat(sized.maxConnectionsTotal()).isEqualTo(256);
        assertThat(WorkerConfig.sizedForWorker(RegistryClientSettings.defaults(), false, 300).maxConnectionsTotal())
                .isEqualTo(300);
    }

    @Test
    void aConfiguredOrLargerPoolIsKept() {
        RegistryClientSettings configured = RegistryClientSettings.of(Map.of("max-connections-per-route", 4));

        assertThat(WorkerConfig.sizedForWorker(configured, true, 24)).isSameAs(configured);
        assertThat(WorkerConfig.sizedForWorker(RegistryClientSettings.defaults(), false, 8).maxConnectionsPerRoute())
                .isEqualTo(16);
    }
}
