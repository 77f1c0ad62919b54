package io.marketplaceindex.api.catalog;

import io.marketplaceindex.api.web.ApiException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/**
 * A keyset position: the sort key of the last row of a page. Opaque to clients; bound to the
 * filters it was issued for so that it cannot silently page through a different result.
 */
public record Cursor(CatalogQuery.Sort sort, String filterKey, String sortName, String handle, UUID registryId) {

    private static final char SEP = '\u001f';

    public String encode() {
        String raw = "1" + SEP + sort.name() + SEP + filterKey + SEP + (sortName == null ? "" : sortName) + SEP + handle
                + SEP + registryId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String token, CatalogQuery.Sort sort, String filterKey) {
        String[] parts;
        try {
            parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(String.valueOf(SEP), -1);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("cursor is not valid");
        }
        if (parts.length != 6 || !"1".equals(parts[0])) {
            throw ApiException.badRequest("cursor is not valid");
        }
        if (!sort.name().equals(parts[1]) || !filterKey.equals(parts[2])) {
            throw ApiException.badRequest("cursor belongs to a different query; start again without cursor");
        }
        try {
            return new Cursor(sort, filterKey, parts[3], parts[4], UUID.fromString(parts[5]));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("cursor is not valid");
        }
    }
}
