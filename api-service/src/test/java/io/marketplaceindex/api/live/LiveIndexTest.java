package io.marketplaceindex.api.live;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LiveIndexTest {

    /** PostgreSQL's COLLATE "C" compares UTF-8 bytes: the live path must order the same way. */
    @Test
    void ordersByCodePointsLikeCollateC() {
        List<String> values = new ArrayList<>(List.of("\uFFFD", "\uD83D\uDE00", "a", "é", "\uE000x", "ab", ""));
        values.sort(LiveIndex.CODE_POINTS);
        List<String> byBytes = new ArrayList<>(values);
        byBytes.sort((x, y) -> Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8)));
        assertThat(values).containsExactlyElementsOf(byBytes);
        assertThat(values.indexOf("\uFFFD")).isLessThan(values.indexOf("\uD83D\uDE00")); // String.compareTo says otherwise
    }

    /** meta.tags of the live path is capped as the index's is: the most frequent, then sorted by tag. */
    @Test
    void mostFrequentTagsAreCappedAndSortedByTag() {
        List<LiveAgent> agents = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) { // 20,000 distinct tags, one agent each ...
            agents.add(agent("h-" + i, List.of("rare-" + i)));
        }
        for (int i = 0; i < 3; i++) { // ... and three that every fourth agent shares more often
            agents.add(agent("c-" + i, List.of("zeta", "alpha", "mid")));
            agents.add(agent("d-" + i, List.of("zeta", "alpha")));
            agents.add(agent("e-" + i, List.of("zeta")));
        }
        LiveIndex index = new LiveIndex(new LiveSnapshot("s", Instant.EPOCH, "d", 1, List.of(), false, 100_000, agents));

        assertThat(index.tags()).hasSize(20_003);
        assertThat(index.mostFrequentTags(3)).containsExactly("alpha", "mid", "zeta");
        assertThat(index.mostFrequentTags(2)).containsExactly("alpha", "zeta");
        assertThat(index.mostFrequentTags(4)).hasSize(4).contains("alpha", "mid", "zeta").isSortedAccordingTo(LiveIndex.CODE_POINTS);
        assertThat(index.mostFrequentTags(50_000)).isEqualTo(index.tags());
    }

    private static LiveAgent agent(String handle, List<String> tags) {
        return new LiveAgent("r", handle, "http://r.example", handle, handle, tags, "{}", null);
    }
}
