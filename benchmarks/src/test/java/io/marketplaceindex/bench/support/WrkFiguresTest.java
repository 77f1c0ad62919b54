package io.marketplaceindex.bench.support;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WrkFiguresTest {

    private static final String OUTPUT = """
            Running 2s test @ http://127.0.0.1:8080/x
              2 threads and 4 connections
            Requests/sec:   5000.00
            BENCH {"requests":10000,"duration_us":2000000,"bytes":420000,"p50_us":800,"p90_us":1500,"p95_us":2000,\
            "p99_us":4000,"max_us":9000,"mean_us":900.5,"connect_errors":1,"read_errors":2,"write_errors":3,"timeouts":4,\
            "non2xx3xx":5,"counted":true,"hits":9000,"misses":1000,"other_cache":0,"non200":5}
            wrk-cpu 1.50 0.25
            """;

    @Test
    void readsTheLineOfTheDoneHookAndKeepsWrksSummaryBeforeIt() {
        WrkFigures f = WrkFigures.parse(OUTPUT);
        assertThat(f.requests()).isEqualTo(10_000);
        assertThat(f.seconds()).isEqualTo(2.0);
        assertThat(f.requestsPerSecond()).isEqualTo(5000.0);
        assertThat(f.p50()).isEqualTo(0.8);
        assertThat(f.p95()).isEqualTo(2.0);
        assertThat(f.max()).isEqualTo(9.0);
        assertThat(f.errors()).isEqualTo(15);
        assertThat(f.fields().get("hits").asLong()).isEqualTo(9000);
        assertThat(f.summary()).startsWith("Running 2s test").endsWith("Requests/sec:   5000.00");
    }

    @Test
    void anOutputWithoutTheLineIsAnError() {
        assertThatThrownBy(() -> WrkFigures.parse("unable to connect to 127.0.0.1:1"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("unable to connect");
    }

    @Test
    void theHookPrintsEveryFieldTheParserReads() {
        String hook = WrkFigures.doneHook();
        for (String field : new String[]{"requests", "duration_us", "bytes", "p50_us", "p90_us", "p95_us", "p99_us",
                "max_us", "connect_errors", "read_errors", "write_errors", "timeouts", "non2xx3xx", "counted"}) {
            assertThat(hook).contains("\"" + field + "\":");
        }
    }
}
