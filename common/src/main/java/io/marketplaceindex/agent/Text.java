package io.marketplaceindex.agent;

/**
 * String tests shared by the normalizer, the index fields and handle validation, so that "blank" and
 * "storable" mean the same thing everywhere.
 */
final class Text {

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
     * Length is not judged here: each field has its own budget ({@link AgentBudgets}).
     */
    static boolean isStorable(String s) {
        return hasNoNulOrLoneSurrogate(s);
    }

    /**
     * The first {@code maxCodePoints} code points of {@code s} ({@code s} itself when shorter): a
     * surrogate pair is kept whole or left out whole, so a storable string stays storable.
     */
    static String truncateCodePoints(String s, int maxCodePoints) {
        if (s.length() <= maxCodePoints) {
            return s; // fewer chars than the budget: fewer code points too
        }
        int end = 0;
        for (int n = 0; n < maxCodePoints && end < s.length(); n++) {
            end += Character.charCount(s.codePointAt(end));
        }
        return s.substring(0, end);
    }

    /**
     * The longest prefix of {@code s} whose UTF-8 encoding has at most {@code maxBytes} bytes, cut at a
     * code-point boundary.
     */
    static String truncateUtf8(String s, int maxBytes) {
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int codePoint = s.codePointAt(i);
            int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + size > maxBytes) {
                return s.substring(0, i);
            }
            bytes += size;
            i += Character.charCount(codePoint);
        }
        return s;
    }

    /**
     * What {@code s} costs as a JSON string, quotes included, in UTF-8 bytes: an upper bound of what any
     * JSON writer produces, since every control character is counted as a six-byte escape (backslash, u, four hex digits)
     * and a quote or backslash as two. Stops counting once past {@code limit} (returns more than it).
     */
    static long jsonBytes(String s, long limit) {
        long bytes = 2;
        for (int i = 0; i < s.length() && bytes <= limit; i++) {
            char ch = s.charAt(i);
            if (ch < 0x20) {
                bytes += 6;
            } else if (ch == '"' || ch == '\\') {
                bytes += 2;
            } else if (ch < 0x80) {
                bytes += 1;
            } else if (ch < 0x800) {
                bytes += 2;
            } else {
                // a surrogate pair is 4 bytes, 2 for each half; any other char up to U+FFFF is 3
                bytes += Character.isSurrogate(ch) ? 2 : 3;
            }
        }
        return bytes;
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
