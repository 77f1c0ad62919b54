package io.marketplaceindex.api.web;

/** PostgreSQL holds no U+0000 in text: a value carrying one is refused before it reaches a statement. */
public final class StorableText {

    private StorableText() {
    }

    /** @throws ApiException 400 naming {@code field} when the value holds U+0000 */
    public static void require(String field, String value) {
        if (holdsNul(value)) {
            throw ApiException.badRequest(refusal(field));
        }
    }

    static boolean holdsNul(String value) {
        return value != null && value.indexOf('\u0000') >= 0;
    }

    static String refusal(String field) {
        return field + " contains U+0000, which no value here may hold";
    }
}
