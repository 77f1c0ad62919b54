package io.marketplaceindex.bench.page;

import io.marketplaceindex.bench.support.Cli;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PageOptionsTest {

    private static Optional<PageOptions> parse(String... argv) {
        return Cli.parse(new PageOptions(), argv, o -> o.validated(argv));
    }

    @Test
    void theReportNamesTheArgumentsButNotTheConnections() {
        PageOptions o = parse("--db=mi_bench_5m", "--runs=4", "--pg-password=secret", "--redis=redis://x:1").orElseThrow();
        assertThat(o.runs).isEqualTo(4);
        assertThat(o.warmupRuns).isEqualTo(3);
        assertThat(o.shownArguments).containsExactly("--db=mi_bench_5m", "--runs=4");
        assertThat(o.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/mi_bench_5m");
        assertThat(o.out).isEqualTo("benchmarks/results/page-" + LocalDate.now() + ".md");
        assertThat(parse("--help")).isEmpty();
    }

    @Test
    void badValuesAreRefusedWithTheReason() {
        // without a warm-up load the first "warm" load would be a cache miss
        assertThatThrownBy(() -> parse("--warmup-runs=0")).hasMessage("--warmup-runs must be at least 1, not 0");
        assertThatThrownBy(() -> parse("--runs=0")).hasMessage("--runs must be at least 1, not 0");
        assertThatThrownBy(() -> parse("--path=marketplace")).hasMessage("--path must start with '/', not 'marketplace'");
        assertThatThrownBy(() -> parse("--runs=many")).isInstanceOf(IllegalArgumentException.class);
    }
}
