package io.marketplaceindex.api.web;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

import java.util.Base64;
import java.util.List;

/**
 * Paging tokens handed to clients: a JSON array of strings, base64url without padding. JSON rather
 * than a separator-joined string, because the parts (names, handles) may contain any character.
 */
public final class OpaqueTokens {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Far above any real token (a 512-char handle, a long name); refuses decoding junk at length. */
    private static final int MAX_TOKEN_CHARS = 64 * 1024;

    private OpaqueTokens() {
    }

    public static String encode(List<String> parts) {
        ArrayNode array = JSON.createArrayNode();
        parts.forEach(array::add);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(array));
    }

    /**
     * @return an array of exactly {@code size} strings
     * @throws ApiException 400 with {@code reason} for anything else
     */
    public static JsonNode decode(String token, int size, String reason) {
        if (token.length() > MAX_TOKEN_CHARS) {
            throw ApiException.badRequest(reason);
        }
        JsonNode parts;
        try {
            parts = JSON.readTree(Base64.getUrlDecoder().decode(token.trim()));
        } catch (IllegalArgumentException | JacksonException e) {
            throw ApiException.badRequest(reason);
        }
        if (parts == null || !parts.isArray() || parts.size() != size) {
            throw ApiException.badRequest(reason);
        }
        for (JsonNode part : parts) {
            if (!part.isString()) {
                throw ApiException.badRequest(reason);
            }
        }
        return parts;
    }
}
