package io.marketplaceindex.registry;

import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Objects;

/**
 * A registry's complete listing.
 *
 * @param handles          usable handles, deduplicated, in the registry's order (first occurrence wins)
 * @param malformedEntries entries skipped because they were not a handle the index accepts (not a
 *                         string, or refused by {@link io.marketplaceindex.agent.Handles#isValid}: blank,
 *                         over 512 code points, control characters, broken surrogates); duplicates are
 *                         not counted
 * @param catalogProof     the registry's {@code catalogProof} object when present; null otherwise
 */
public record Listing(List<String> handles, int malformedEntries, JsonNode catalogProof) {

    public Listing {
        handles = List.copyOf(Objects.requireNonNull(handles, "handles"));
        if (malformedEntries < 0) {
            throw new IllegalArgumentException("malformedEntries must not be negative");
        }
    }
}
