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
                .hasMessage("--threads needs a positive whole number, not '0'");
        assertThatThrownBy(() -> ClientBenchmark.parse(new String[]{"--seconds", "ten"}))
                .hasMessage("--seconds needs a positive whole number, not 'ten'");
        assertThatThrownBy(() -> ClientBenchmark.parse(new String[]{"--seconds"}))
                .hasMessage("missing value for --seconds");
        assertThatThrownBy(() -> ClientBenchmark.parse(new String[]{"--rate", "5"}))
                .hasMessage("unknown option --rate");
    }
}
