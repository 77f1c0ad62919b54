package io.marketplaceindex.api.changes;

import io.marketplaceindex.api.web.ApiException;
import io.marketplaceindex.api.web.OpaqueTokens;
import io.marketplaceindex.api.web.Uuids;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.UUID;

/**
 * A position in the changes feed, which is ordered by (change stamp, registryId, handle).
 *
 * <p>With registryId and handle it is a change the client has received: the next page continues
 * strictly after it. Without them it is a watermark: every change stamped below {@code changeXid}
 * has been received, and the next page starts at the first change stamped at or above it. That is
 * what a caught-up client holds; it is safe because the feed only ever serves stamps below its
 * snapshot's xmin, and no transaction that could still commit has a smaller id.
 */
record ChangeCursor(long changeXid, UUID registryId, String handle) {

    private static final String VERSION = "f2";
    /** Cursors handed out while rows carried the catalog generation; those values are valid stamps (V5). */
    private static final String GENERATION_VERSION = "f1";
    private static final String INVALID = "cursor is not valid";

    static ChangeCursor below(long watermark) {
        return new ChangeCursor(watermark, null, null);
    }

    boolean isWatermark() {
        return registryId == null;
    }

    String encode() {
        return OpaqueTokens.encode(List.of(VERSION, Long.toString(changeXid),
                registryId == null ? "" : registryId.toString(), handle == null ? "" : handle));
    }

    static ChangeCursor decode(String token) {
        JsonNode parts = OpaqueTokens.decode(token, 4, INVALID);
        String version = parts.get(0).stringValue();
        if (!VERSION.equals(version) && !GENERATION_VERSION.equals(version)) {
            throw ApiException.badRequest(INVALID);
        }
        long position;
        try {
            position = Long.parseLong(parts.get(1).stringValue());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(INVALID);
        }
        String registryId = parts.get(2).stringValue();
        String handle = parts.get(3).stringValue();
        if (position < 0 || registryId.isEmpty() != handle.isEmpty()) {
            throw ApiException.badRequest(INVALID);
        }
        if (!registryId.isEmpty()) {
            return new ChangeCursor(position, Uuids.parse(registryId, INVALID), handle);
        }
        // an old caught-up cursor stood after the whole of its generation
        return below(GENERATION_VERSION.equals(version) && position < Long.MAX_VALUE ? position + 1 : position);
    }
}
