package io.marketplaceindex.bench.support;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StatsTest {

    @Test
    void nearestRankPercentiles() {
        List<Double> twenty = new ArrayList<>();
        for (int i = 20; i >= 1; i--) {
            twenty.add((double) i);
        }
        assertThat(Stats.percentile(twenty, 50)).isEqualTo(10.0);
        assertThat(Stats.percentile(twenty, 95)).isEqualTo(19.0);
        assertThat(Stats.percentile(twenty, 100)).isEqualTo(20.0);
        assertThat(Stats.percentile(List.of(7.0), 95)).isEqualTo(7.0);
        assertThat(Stats.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(Stats.percentile(List.of(), 50)).isNaN();
        assertThatThrownBy(() -> Stats.percentile(List.of(1.0), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
