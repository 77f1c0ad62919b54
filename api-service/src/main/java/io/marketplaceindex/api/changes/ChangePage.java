package io.marketplaceindex.api.changes;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.marketplaceindex.api.web.RawJson;

import java.time.Instant;
import java.util.List;

/** The answer of GET /api/marketplace/changes. */
record ChangePage(List<Change> data, Meta meta) {

    /**
     * @param change "upsert" (the agent was added or changed; {@code agent} is its new state) or
     *               "removal" (it left the index; no {@code agent})
     * @param at     when the change was committed: the row's updated_at or the tombstone's removed_at
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Change(String registryId, String handle, String change, long generation, Instant at, RawJson agent) {
    }

    /**
     * @param nextCursor always present: pass it as {@code cursor} to continue, now or later
     * @param hasMore    true when more changes are already waiting after this page
     * @param generation the catalog generation this answer is complete up to
     */
    record Meta(String nextCursor, boolean hasMore, long generation, int limit) {
    }
}
