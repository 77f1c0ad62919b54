package io.marketplaceindex.api.catalog;

import io.marketplaceindex.api.web.ApiException;
import io.marketplaceindex.api.web.OpaqueTokens;
import io.marketplaceindex.api.web.Uuids;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.UUID;

/**
 * A keyset position: the sort key of the last row of a page. Opaque to clients; bound to the
 * filters it was issued for so that it cannot silently page through a different result.
 * (Version 1 joined the parts with U+001F; a card name containing that character broke its
 * query's second page, hence {@link OpaqueTokens}.)
 */
public record Cursor(CatalogQuery.Sort sort, String filterKey, String sortName, String handle, UUID registryId) {

    private static final String VERSION = "c2";
    private static final String INVALID = "cursor is not valid";

    public String encode() {
        return OpaqueTokens.encode(List.of(VERSION, sort.name(), filterKey, sortName == null ? "" : sortName, handle,
                registryId.toString()));
    }

    static Cursor decode(String token, CatalogQuery.Sort sort, String filterKey) {
        JsonNode parts = OpaqueTokens.decode(token, 6, INVALID);
        if (!VERSION.equals(parts.get(0).stringValue())) {
            throw ApiException.badRequest(INVALID);
        }
        if (!sort.name().equals(parts.get(1).stringValue()) || !filterKey.equals(parts.get(2).stringValue())) {
            throw ApiException.badRequest("cursor belongs to a different query; start again without cursor");
        }
        return new Cursor(sort, filterKey, parts.get(3).stringValue(), parts.get(4).stringValue(),
                Uuids.parse(parts.get(5).stringValue(), INVALID));
    }
}
