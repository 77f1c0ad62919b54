package io.marketplaceindex.agent;

/**
 * Which agent handles the index accepts.
 *
 * <p>The record schema asks registries for 8–512 characters, but the compatible product indexed any
 * string handle, and refusing a handle it listed would make agents vanish from the catalog on
 * migration. So the length accepted is 1–512 (counted in code points, as JSON Schema counts
 * {@code maxLength}); the upper bound keeps index keys and request URLs bounded. What is refused is
 * what no registry can mean and what breaks downstream: blank handles (invisible in a list, equal-looking
 * to each other), control characters (U+0000–U+001F, U+007F: log and header injection, and PostgreSQL
 * refuses U+0000) and unpaired surrogates (not encodable as UTF-8, so neither storable nor
 * URL-encodable).
 */
public final class Handles {

    public static final int MIN_LENGTH = 1;
    public static final int MAX_LENGTH = 512;

    private Handles() {
    }

    public static boolean isValid(String handle) {
        if (handle == null || handle.isEmpty() || Text.isBlank(handle)) {
            return false;
        }
        // cheap bound first: more than 2 chars per code point is impossible
        if (handle.length() > 2 * MAX_LENGTH || !Text.hasNoNulOrLoneSurrogate(handle)) {
            return false;
        }
        int codePoints = handle.codePointCount(0, handle.length());
        if (codePoints < MIN_LENGTH || codePoints > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < handle.length(); i++) {
            char ch = handle.charAt(i);
            if (ch < 0x20 || ch == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
