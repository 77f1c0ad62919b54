package io.marketplaceindex.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RegistrySimulatorMainTest {

    @Test
    void parsesOptionsWithDefaults() {
        RegistrySimulatorMain.Args args = RegistrySimulatorMain.parse(new String[] {
                "--port", "9400", "--registries=5", "--agents", "20", "--latency-ms", "3", "--name-prefix", "x"});
        assertThat(args).isEqualTo(new RegistrySimulatorMain.Args(9400, 5, 20, 1L, 16, 3L, "x", null));
        assertThat(RegistrySimulatorMain.parse(new String[] {"--help"})).isNull();
        assertThat(RegistrySimulatorMain.parse(new String[] {"--card-max-age-s", "600"}).cardMaxAgeSeconds())
                .isEqualTo(600L);
    }

    @Test
    void rejectsUnknownOrBadOptions() {
        assertThatThrownBy(() -> RegistrySimulatorMain.parse(new String[] {"--nope", "1"}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RegistrySimulatorMain.parse(new String[] {"--port", "x"}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RegistrySimulatorMain.parse(new String[] {"--port"}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RegistrySimulatorMain.parse(new String[] {"--card-max-age-s", "-1"}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
