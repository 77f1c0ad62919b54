package io.marketplaceindex.api.live;

import io.marketplaceindex.api.catalog.CatalogSummary;
import io.marketplaceindex.registry.RegistryClient;
import io.marketplaceindex.registry.RegistryClientSettings;
import io.marketplaceindex.registry.RegistryUrls;
import io.marketplaceindex.simulator.Fault;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The fan-out's bounds: the per-registry budget, the size cap, failures reported per registry. */
class LiveCatalogBuilderTest {

    /**
     * Longer than any budget here by far: the budget (3 s) leaves a cold JVM on a loaded machine time for
     * the records that do arrive, and the build must still end long before the hanging ones would.
     */
    private static final Duration HANG = Duration.ofSeconds(30);

    private RegistrySimulator simulator;
    private RegistryClient client;
    private LiveCatalogBuilder builder;

    @BeforeEach
    void start() {
        simulator = RegistrySimulator.start(SimulatorOptions.defaults());
        client = new RegistryClient(RegistryClientSettings.of(Map.of("allow-loopback", true, "max-retries", 0)),
                new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() {
        if (builder != null) {
            builder.destroy();
        }
        client.close();
        simulator.close();
    }

    private LiveCatalogBuilder builder(Duration budget, int maxAgents) {
        builder = new LiveCatalogBuilder(client, JsonMapper.builder().build(), new LiveCatalogProperties(
                Duration.ofSeconds(60), Duration.ofHours(1), 4, 16, budget, maxAgents, Duration.ofSeconds(1)),
                Clock.systemUTC());
        return builder;
    }

    private static LiveRegistry registry(SimulatedRegistry simulated, String token) {
        return new LiveRegistry(UUID.randomUUID().toString(), simulated.name(), RegistryUrls.normalize(simulated.baseUrl()),
                token);
    }

    @Test
    void aRegistryPastItsBudgetKeepsWhatArrivedAndSaysSo() {
        SimulatedRegistry slow = simulator.addRegistry("slow", 12, 51L);
        List<String> handles = slow.handles();
        // two records never arrive in time; each holds one of the registry's 4 request slots meanwhile
        slow.setFault(Fault.hang(Fault.Target.record(handles.get(2)), HANG));
        slow.setFault(Fault.hang(Fault.Target.record(handles.get(9)), HANG));
        SimulatedRegistry quick = simulator.addRegistry("quick", 5, 52L);

        long started = System.nanoTime();
        LiveSnapshot snapshot = builder(Duration.ofSeconds(3), 1000).build(
                List.of(registry(slow, null), registry(quick, null)), "digest");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the build did not wait for the hanging records")
                .isLessThan(HANG.minusSeconds(10));

        CatalogSummary.Source slowSource = source(snapshot, "slow");
        assertThat(slowSource.ok()).isFalse();
        assertThat(slowSource.agentCount()).isEqualTo(10);
        assertThat(slowSource.error()).contains("time budget").contains("10 of 12");
        CatalogSummary.Source quickSource = source(snapshot, "quick");
        assertThat(quickSource.ok()).isTrue();
        assertThat(quickSource.agentCount()).isEqualTo(5);
        assertThat(snapshot.agents()).hasSize(15);
        assertThat(snapshot.truncated()).isFalse();
    }

    @Test
    void theCatalogStopsAtItsCapAndFailuresAreReportedWithoutTheToken() {
        SimulatedRegistry big = simulator.addRegistry("big", 20, 53L);
        SimulatedRegistry locked = simulator.addRegistry("locked", 5, 54L);
        locked.setAuthToken("the-right-token");
        String wrongToken = "wrong-token-" + UUID.randomUUID();

        LiveSnapshot snapshot = builder(Duration.ofSeconds(10), 8).build(
                List.of(registry(big, null), registry(locked, wrongToken)), "digest");
        assertThat(snapshot.truncated()).isTrue();
        assertThat(snapshot.maxAgents()).isEqualTo(8);
        assertThat(snapshot.agents()).hasSize(8);
        CatalogSummary.Source lockedSource = source(snapshot, "locked");
        assertThat(lockedSource.ok()).isFalse();
        assertThat(lockedSource.error()).contains("401").doesNotContain(wrongToken);
        assertThat(snapshot.registries()).isEqualTo(2);
    }

    private static CatalogSummary.Source source(LiveSnapshot snapshot, String name) {
        return snapshot.sources().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }
}
