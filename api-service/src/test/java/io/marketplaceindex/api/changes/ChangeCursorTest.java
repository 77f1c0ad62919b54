package io.marketplaceindex.api.changes;

import io.marketplaceindex.api.web.ApiException;
import io.marketplaceindex.api.web.OpaqueTokens;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChangeCursorTest {

    @Test
    void roundTripsPositionsAndWatermarks() {
        ChangeCursor position = new ChangeCursor(1234, UUID.randomUUID(), "a/b c");
        assertThat(ChangeCursor.decode(position.encode())).isEqualTo(position);
        ChangeCursor watermark = ChangeCursor.below(99);
        assertThat(ChangeCursor.decode(watermark.encode())).isEqualTo(watermark);
        assertThat(ChangeCursor.decode(watermark.encode()).isWatermark()).isTrue();
    }

    @Test
    void cursorsHandedOutBeforeChangeStampsStillPointAtTheSamePlace() {
        // caught up at catalog generation 41: every row of generation 41 and below was received
        assertThat(ChangeCursor.decode(OpaqueTokens.encode(List.of("f1", "41", "", ""))))
                .isEqualTo(ChangeCursor.below(42));
        // a position is a (stamp, registry, handle) triple either way: old stamps kept their values
        UUID registry = UUID.randomUUID();
        assertThat(ChangeCursor.decode(OpaqueTokens.encode(List.of("f1", "41", registry.toString(), "h"))))
                .isEqualTo(new ChangeCursor(41, registry, "h"));
    }

    @Test
    void refusesOtherTokens() {
        for (List<String> parts : List.of(List.of("c1", "41", "", ""), List.of("f2", "-1", "", ""),
                List.of("f2", "x", "", ""), List.of("f2", "4", UUID.randomUUID().toString(), ""))) {
            assertThatThrownBy(() -> ChangeCursor.decode(OpaqueTokens.encode(parts))).as(parts.toString())
                    .isInstanceOf(ApiException.class);
        }
    }
}
