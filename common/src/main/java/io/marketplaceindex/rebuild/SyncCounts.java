package io.marketplaceindex.rebuild;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The tallies of one sync, kept in the registry's state and the rebuild progress. */
public record SyncCounts(int listed, int malformed, int fetched, int unchanged, int added, int updated, int removed,
                         int failed) {

    /** From JSON: a tally the writer did not write (an older one, or a hand-written line) is 0. */
    @JsonCreator
    static SyncCounts read(@JsonProperty("listed") Integer listed, @JsonProperty("malformed") Integer malformed,
                           @JsonProperty("fetched") Integer fetched, @JsonProperty("unchanged") Integer unchanged,
                           @JsonProperty("added") Integer added, @JsonProperty("updated") Integer updated,
                           @JsonProperty("removed") Integer removed, @JsonProperty("failed") Integer failed) {
        return new SyncCounts(zero(listed), zero(malformed), zero(fetched), zero(unchanged), zero(added),
                zero(updated), zero(removed), zero(failed));
    }

    private static int zero(Integer count) {
        return count == null ? 0 : count;
    }

    public boolean changedRows() {
        return added + updated + removed > 0;
    }
}
