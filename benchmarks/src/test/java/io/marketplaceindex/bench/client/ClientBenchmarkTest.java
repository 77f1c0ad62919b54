package io.marketplaceindex.bench.client;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientBenchmarkTest {

    @Test
    void optionsDefaultToTheDocumentedValues() {
        ClientBenchmark.Options o = ClientBenchmark.parse(new String[]{"--threads", "8", "--out", "x.md"});
        assertThat(o.threads()).isEqualTo(8);
        assertThat(o.seconds()).isEqualTo(15);
        assertThat(o.warmupSeconds()).isEqualTo(10);
        assertThat(o.out()).isEqualTo(Path.of("x.md"));
        assertThat(ClientBenchmark.parse(new String[]{"--help"})).isNull();
    }

    @Test
    void badOptionsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> ClientBenchmark.parse(new String[]{"--threads", "0"}))
                .hasMessage("--threads must be at least 1, not 0");
        assertThatThrownBy(() -> ClientBenchmark.parse(new String[]{"--seconds", "ten"}))
                .hasMessageContaining("--seconds").hasMessageContaining("'ten' is not an int");
        assertThatThrownBy(() -> ClientBenchmark.parse(new String[]{"--seconds"}))
                .hasMessageContaining("Missing required parameter for option '--seconds'");
        assertThatThrownBy(() -> ClientBenchmark.parse(new String[]{"--rate", "5"}))
                .hasMessageContaining("Unknown options: '--rate'");
    }
}
