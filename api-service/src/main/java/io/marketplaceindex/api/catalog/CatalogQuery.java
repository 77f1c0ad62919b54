package io.marketplaceindex.api.catalog;

import io.marketplaceindex.agent.AgentIndexFields;
import io.marketplaceindex.api.web.ApiException;
import io.marketplaceindex.api.web.Limits;
import io.marketplaceindex.registry.RegistryUrls;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A validated catalog request. Parsing follows the compatible API: limit defaults to 50 and is
 * clamped to 200; everything it would not have silently fixed is a 400 with a reason.
 *
 * @param needle      q in the lower-cased form of the index's search text, or null
 * @param registryUrl normalized registry URL filter, or null
 * @param cursor      keyset position from a previous page's meta.nextCursor, or null
 * @param verified    only agents whose record proof is valid ({@code verified=true})
 */
public record CatalogQuery(int limit, int offset, Sort sort, String q, String needle, List<String> tags,
                           String registryUrl, Cursor cursor, boolean verified) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;
    static final int MAX_Q_LENGTH = 256;
    static final int MAX_TAGS = 32;

    public enum Sort {
        NAME, HANDLE,
        /** match=words ranked by {@link RelevanceRepository}; only with q, offset paging only */
        RELEVANCE
    }

    public static CatalogQuery parse(String limit, String offset, String sort, String q, String tags,
                                     String registryUrl, String cursor) {
        return parse(limit, offset, sort, q, tags, registryUrl, cursor, null);
    }

    public static CatalogQuery parse(String limit, String offset, String sort, String q, String tags,
                                     String registryUrl, String cursor, String verified) {
        return parse(limit, offset, sort, q, tags, registryUrl, cursor, verified, null);
    }

    public static CatalogQuery parse(String limit, String offset, String sort, String q, String tags,
                                     String registryUrl, String cursor, String verified, String match) {
        boolean onlyVerified = switch (verified == null || verified.isBlank() ? "false" : verified.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiException.badRequest("verified must be 'true' or 'false'");
        };
        int parsedLimit = Limits.parse("limit", limit, DEFAULT_LIMIT, MAX_LIMIT);
        int parsedOffset = offset == null || offset.isBlank() ? 0 : Limits.integer("offset", offset);
        if (parsedOffset < 0) {
            throw ApiException.badRequest("offset must be 0 or more");
        }
        Sort parsedSort = switch (sort == null || sort.isBlank() ? "name" : sort) {
            case "name" -> Sort.NAME;
            case "handle" -> Sort.HANDLE;
            case "relevance" -> Sort.RELEVANCE;
            default -> throw ApiException.badRequest("sort must be 'name', 'handle' or 'relevance'");
        };
        String trimmedQ = q == null ? null : q.trim();
        if (trimmedQ != null && trimmedQ.length() > MAX_Q_LENGTH) {
            throw ApiException.badRequest("q is longer than " + MAX_Q_LENGTH + " characters");
        }
        String needle = trimmedQ == null || trimmedQ.isEmpty() ? null : AgentIndexFields.searchNeedle(trimmedQ);
        if (needle != null && needle.isEmpty()) {
            needle = null;
        }
        List<String> parsedTags = tags == null ? List.of() : List.copyOf(new LinkedHashSet<>(Arrays.stream(tags.split(","))
                .map(String::trim).filter(t -> !t.isEmpty()).toList()));
        if (parsedTags.size() > MAX_TAGS) {
            throw ApiException.badRequest("at most " + MAX_TAGS + " tags");
        }
        String url = registryUrl == null || registryUrl.isBlank() ? null : RegistryUrls.normalizeForMatch(registryUrl);
        CatalogQuery query = new CatalogQuery(parsedLimit, parsedOffset, parsedSort, needle == null ? null : trimmedQ,
                needle, parsedTags, url, null, onlyVerified);
        RelevanceTerms.checkMatch(match, query);
        if (cursor != null && !cursor.isBlank()) {
            if (parsedSort == Sort.RELEVANCE) {
                throw ApiException.badRequest("sort=relevance pages by offset only (at most "
                        + "marketplace.search.relevance-candidates results); cursor is for sort=name and sort=handle");
            }
            query = new CatalogQuery(parsedLimit, 0, parsedSort, query.q, needle, parsedTags, url,
                    Cursor.decode(cursor, parsedSort, query.filterKey()), onlyVerified);
        }
        return query;
    }

    /** The same filters without the tags one: what tag facets count under (see TagFacetService). */
    CatalogQuery withoutTags() {
        return new CatalogQuery(limit, offset, sort, q, needle, List.of(), registryUrl, null, verified);
    }

    /** Only the needle (q): the rows the substring index finds, before the other filters. */
    CatalogQuery onlyNeedle() {
        return new CatalogQuery(limit, offset, sort, q, needle, List.of(), null, null, false);
    }

    /** The filters other than q (tags, registryUrl, verified), without a cursor. */
    CatalogQuery withoutNeedle() {
        return new CatalogQuery(limit, offset, sort, null, null, tags, registryUrl, null, verified);
    }

    public boolean hasFilters() {
        return needle != null || !tags.isEmpty() || registryUrl != null || verified;
    }

    /** Identifies the filters and sort (not the page): a cursor is only valid for the same ones. */
    public String filterKey() {
        return digest(sort + "\n" + (needle == null ? "" : needle) + "\n" + String.join("\u001f", tags) + "\n"
                + (registryUrl == null ? "" : registryUrl)
                // only when set, so that keys (and cursors) of unverified queries stay what they were
                + (verified ? "\nverified" : ""));
    }

    /** Identifies the whole answer, for cache keys and ETags. */
    public String cacheKey() {
        return digest(filterKey() + "\n" + limit + "\n" + offset + "\n" + (cursor == null ? "" : cursor.encode()));
    }

    static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
