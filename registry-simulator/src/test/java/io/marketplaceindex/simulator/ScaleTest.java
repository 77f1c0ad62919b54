package io.marketplaceindex.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The benchmark shape: 1,000 registries of 1,000 agents in one process, nothing materialized up front. */
class ScaleTest {

    @Test
    void thousandRegistriesOfThousandAgents() {
        final Http http = new Http();
        try (RegistrySimulator sim = RegistrySimulator.start(SimulatorOptions.defaults())) {
            Runtime rt = Runtime.getRuntime();
            System.gc();
            long usedBefore = rt.totalMemory() - rt.freeMemory();
            for (int i = 1; i <= 1000; i++) {
                sim.addRegistry("bench-" + i, 1000, i);
            }
            assertThat(sim.registries()).hasSize(1000);
            SimulatedRegistry last = sim.registry("bench-1000");
            assertThat(last.agents()).hasSize(1000);
            assertThat(http.json(http.get(last.baseUrl() + "/v1/records")).get("handles").size()).isEqualTo(1000);
            for (int i : new int[] {1, 500, 1000}) {
                SimulatedRegistry r = sim.registry("bench-" + i);
                String handle = r.handles().get(777);
                assertThat(http.get(r.recordUrl(handle)).statusCode()).isEqualTo(200);
                assertThat(http.get(r.cardUrl(handle)).statusCode()).isEqualTo(200);
            }
            System.gc();
            long grown = (rt.totalMemory() - rt.freeMemory()) - usedBefore;
            // Generous bound: overrides only, no generated agents are kept.
            assertThat(grown).isLessThan(200L * 1024 * 1024);
        }
    }
}
