package io.marketplaceindex.api.catalog;

import io.marketplaceindex.api.ApiTestSupport;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An offset is walked entry by entry, so past marketplace.catalog.max-offset (100,000 by default) it is
 * refused with a 400 that points to cursor paging, whose pages cost the same at any depth.
 */
class OffsetBoundIT extends ApiTestSupport {

    @Test
    void anOffsetPastTheMaximumIsRefusedPointingToCursor() {
        assertThat(get("/api/marketplace?offset=100000").status()).isEqualTo(200);
        for (String query : List.of("offset=100001", "offset=2147483647", "offset=100001&sort=handle&limit=10",
                "offset=5000000&q=agent&tags=search")) {
            Answer answer = get("/api/marketplace?" + query);
            assertThat(answer.status()).as(query).isEqualTo(400);
            assertThat(answer.body().get("error").asString()).as(query)
                    .contains("offset is at most 100000").contains("cursor");
        }
    }

    @Test
    void aCursorPageIgnoresTheOffset() {
        Answer first = get("/api/marketplace?limit=1");
        String cursor = first.body().get("meta").get("nextCursor").asString();
        if (cursor != null && !cursor.isEmpty()) {
            assertThat(get("/api/marketplace?limit=1&offset=999999&cursor=" + cursor).status()).isEqualTo(200);
        }
    }
}
