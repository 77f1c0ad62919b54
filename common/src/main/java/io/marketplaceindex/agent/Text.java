package io.marketplaceindex.agent;

/**
 * String tests shared by the normalizer, the index fields and handle validation, so that "blank" and
 * "storable" mean the same thing everywhere.
 */
final class Text {

    /** Longer strings from a registry are dropped rather than truncated: a cut URL or id is wrong, not short. */
    static final int MAX_STRING_CHARS = 8_192;

    private Text() {
    }

    /**
     * Blank as JavaScript's {@code trim()} sees it, because the compatible product decided "blank" that
     * way: unlike {@link String#isBlank()}, a no-break space or a BOM alone also counts as blank.
     */
    static boolean isBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!Character.isWhitespace(ch) && !Character.isSpaceChar(ch) && ch != '\uFEFF') {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a string can travel all the way into the index. PostgreSQL refuses U+0000 in {@code text}
     * and {@code jsonb}, and an unpaired surrogate cannot be encoded as UTF-8 at all; either would turn
     * one hostile value into a failed row write, so such strings are treated like values of the wrong type.
     */
    static boolean isStorable(String s) {
        return s.length() <= MAX_STRING_CHARS && hasNoNulOrLoneSurrogate(s);
    }

    static boolean hasNoNulOrLoneSurrogate(String s) {
        int length = s.length();
        for (int i = 0; i < length; i++) {
            char ch = s.charAt(i);
            // Nearly every character lies between the two: one test each for them, on every string a registry sends.
            if (ch > '\u0000' && ch < Character.MIN_SURROGATE) {
                continue;
            }
            if (ch == '\u0000') {
                return false;
            }
            if (Character.isHighSurrogate(ch)) {
                if (i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return false;
            }
            if (Character.isLowSurrogate(ch)) {
                return false;
            }
        }
        return true;
    }
}
