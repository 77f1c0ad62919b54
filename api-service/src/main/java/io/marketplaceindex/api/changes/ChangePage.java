package io.marketplaceindex.api.changes;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.marketplaceindex.api.web.RawJson;

import java.time.Instant;
import java.util.List;

/** The answer of GET /api/marketplace/changes. */
record ChangePage(List<Change> data, Meta meta) {

    /**
     * @param change     "upsert" (the agent was added or changed; {@code agent} is its new state) or
     *                   "removal" (it left the index; no {@code agent})
     * @param generation the change's stamp, its position in the feed order: the id of the transaction
     *                   that wrote it (for changes made before change stamps, the catalog generation of
     *                   their commit, which is smaller). Not the catalog generation of the catalog API.
     * @param at         when the change was written: the row's updated_at or the tombstone's removed_at
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Change(String registryId, String handle, String change, long generation, Instant at, RawJson agent) {
    }

    /**
     * @param nextCursor always present: pass it as {@code cursor} to continue, now or later
     * @param hasMore    true when more changes are already waiting after this page
     * @param generation the watermark this answer is complete up to: every change stamped below it
     *                   has been served (in this page or earlier ones, unless hasMore), and no later
     *                   change will be stamped below it
     */
    record Meta(String nextCursor, boolean hasMore, long generation, int limit) {
    }
}
