package io.marketplaceindex.api.changes;

import io.marketplaceindex.api.web.ApiException;
import io.marketplaceindex.api.web.OpaqueTokens;
import io.marketplaceindex.api.web.Uuids;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.UUID;

/**
 * A position in the changes feed, which is ordered by (generation, registryId, handle); the next
 * page continues strictly after it. Without registryId and handle it stands after the whole of
 * {@code generation}: what a caught-up client holds, since no later commit can take a generation at
 * or below one already visible (the worker takes generations under a row lock held until commit).
 */
record ChangeCursor(long generation, UUID registryId, String handle) {

    private static final String VERSION = "f1";
    private static final String INVALID = "cursor is not valid";

    static ChangeCursor afterGeneration(long generation) {
        return new ChangeCursor(generation, null, null);
    }

    boolean wholeGeneration() {
        return registryId == null;
    }

    String encode() {
        return OpaqueTokens.encode(List.of(VERSION, Long.toString(generation),
                registryId == null ? "" : registryId.toString(), handle == null ? "" : handle));
    }

    static ChangeCursor decode(String token) {
        JsonNode parts = OpaqueTokens.decode(token, 4, INVALID);
        if (!VERSION.equals(parts.get(0).stringValue())) {
            throw ApiException.badRequest(INVALID);
        }
        long generation;
        try {
            generation = Long.parseLong(parts.get(1).stringValue());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(INVALID);
        }
        String registryId = parts.get(2).stringValue();
        String handle = parts.get(3).stringValue();
        if (generation < 0 || registryId.isEmpty() != handle.isEmpty()) {
            throw ApiException.badRequest(INVALID);
        }
        return registryId.isEmpty() ? afterGeneration(generation)
                : new ChangeCursor(generation, Uuids.parse(registryId, INVALID), handle);
    }
}
