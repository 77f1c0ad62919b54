package io.marketplaceindex.api.catalog;

import io.marketplaceindex.api.cache.CacheProperties;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ExactTotalsTest {

    @Test
    void aCountedTotalOutlivesAShortAnswerTtl() {
        assertThat(keptWith(Duration.ofMillis(1))).isEqualTo(ExactTotals.MIN_KEPT);
        assertThat(keptWith(Duration.ofHours(2))).isEqualTo(Duration.ofHours(2));
    }

    private static Duration keptWith(Duration ttl) {
        CacheProperties cache = new CacheProperties("mi:", ttl, Duration.ofSeconds(5), Duration.ofSeconds(5),
                DataSize.ofMegabytes(64), Duration.ofSeconds(5));
        try (ExactTotals totals = new ExactTotals(null, null, cache, null)) {
            return totals.kept();
        }
    }
}
