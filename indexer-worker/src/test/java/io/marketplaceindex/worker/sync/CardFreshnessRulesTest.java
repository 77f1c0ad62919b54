package io.marketplaceindex.worker.sync;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** How the worker turns a card's freshness into a stored instant, and when it trusts one. */
class CardFreshnessRulesTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    @ParameterizedTest(name = "fresh for {0} s, cap {1} s: fresh until now + {2}")
    @CsvSource(nullValues = "-", value = {
            "600,   3600, 600",   // within the cap
            "7200,  3600, 3600",  // capped
            "0,     3600, -",     // not fresh
            "600,   0,    -",     // freshness off
            "0,     0,    -",
    })
    void freshUntilIsCappedAndNullWhenNotFresh(long freshFor, long cap, Long expectedSeconds) {
        Instant until = HandleFetcher.freshUntil(Duration.ofSeconds(freshFor), Duration.ofSeconds(cap), NOW);
        assertThat(until).isEqualTo(expectedSeconds == null ? null : NOW.plusSeconds(expectedSeconds));
    }

    @ParameterizedTest(name = "stored until now {0} s, cap {1} s: fresh={2}")
    @CsvSource(nullValues = "-", value = {
            "600,   3600, true",
            "3600,  3600, true",   // exactly the cap
            "1,     3600, true",
            "0,     3600, false",  // expires now
            "-1,    3600, false",  // expired
            "-,     3600, false",  // never fresh
            "3601,  3600, false",  // further than the cap allows: stored under a larger cap, or the clock stepped back
            "600,   0,    false",  // freshness off
    })
    void storedFreshnessIsTrustedOnlyWithinTheCap(Long storedInSeconds, long cap, boolean fresh) {
        Instant stored = storedInSeconds == null ? null : NOW.plusSeconds(storedInSeconds);
        assertThat(HandleFetcher.isFresh(stored, Duration.ofSeconds(cap), NOW)).isEqualTo(fresh);
    }
}
