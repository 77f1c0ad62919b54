package io.marketplaceindex.api.live;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
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
}
