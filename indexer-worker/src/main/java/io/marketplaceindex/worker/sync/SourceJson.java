package io.marketplaceindex.worker.sync;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The text a fetched record or card is stored as ({@code marketplace_catalog_sources.record} and
 * {@code card}, text columns that the api-service embeds as they are in its agent detail). Normally that
 * is the text the registry sent: the document was just parsed from it, and writing the parsed tree out
 * again was a sizeable share of the worker's CPU per agent.
 *
 * <p>Whatever is stored reads as jsonb, to the same value as the re-serialized tree, so that
 * {@code record::jsonb} works in any query (the columns were jsonb until V7). The text as sent is used
 * only when that holds. Otherwise, which includes everything jsonb would refuse, the tree is serialized:
 * <ul>
 *   <li>an escaped U+0000: jsonb refuses it, the serialized tree has U+FFFD instead (and so has the
 *       text "u0000" behind an escaped backslash, as it always had);</li>
 *   <li>an escaped surrogate (jsonb refuses a lone one) or any other escape above U+007F (a database not
 *       encoded in UTF-8 refuses those);</li>
 *   <li>a byte-order mark, a NUL byte (UTF-16 or UTF-32, which the parser detects and jsonb does not),
 *       or bytes that are not strictly UTF-8 (the parser reads an overlong form of U+0000, for one);</li>
 *   <li>a number with an exponent (jsonb's numeric overflows where the parser's double became
 *       infinite), or a fraction not written the way the serializer writes the parsed double
 *       ({@code 1.50}, {@code 0.0001}: an equal value but a different jsonb text).</li>
 * </ul>
 */
final class SourceJson {

    private SourceJson() {
    }

    /**
     * @param sent   the bytes the registry sent
     * @param parsed what they were parsed to
     * @return the text to store
     */
    static String storable(byte[] sent, JsonNode parsed, JsonMapper json) {
        String asSent = asSent(sent);
        return asSent != null ? asSent : serialized(parsed, json);
    }

    /**
     * The parsed document written out again. PostgreSQL's jsonb cannot hold U+0000: a registry sending
     * it would otherwise fail its whole commit, so it is replaced by U+FFFD (the normalized agent already
     * drops such strings).
     */
    static String serialized(JsonNode parsed, JsonMapper json) {
        String text = json.writeValueAsString(parsed);
        return text.contains("\\u0000") ? text.replace("\\u0000", "\\ufffd") : text;
    }

    /** The bytes as text when jsonb reads them as it would read {@link #serialized}; null otherwise. */
    static String asSent(byte[] sent) {
        int length = sent.length;
        if (length >= 3 && sent[0] == (byte) 0xEF && sent[1] == (byte) 0xBB && sent[2] == (byte) 0xBF) {
            return null;
        }
        boolean ascii = true;
        boolean inString = false;
        for (int i = 0; i < length; i++) {
            byte b = sent[i];
            if (b == 0) {
                return null;
            }
            if (b < 0) {
                ascii = false;
            } else if (inString) {
                if (b == '"') {
                    inString = false;
                } else if (b == 'u' && isZeros(sent, i + 1)) {
                    // behind an escaped backslash: serialized() rewrites it there like an escaped U+0000
                    return null;
                } else if (b == '\\') {
                    i = escapeEnd(sent, i);
                    if (i < 0) {
                        return null;
                    }
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '-' || isDigit(b)) {
                i = numberEnd(sent, i);
                if (i < 0) {
                    return null;
                }
            }
        }
        if (inString) {
            return null;
        }
        return ascii ? new String(sent, StandardCharsets.US_ASCII) : strictUtf8(sent);
    }

    /**
     * Where the escape at {@code backslash} ends (its last byte), or -1 when it is one the text cannot be
     * stored with as sent: U+0000, an invalid one, or any above U+007F.
     */
    private static int escapeEnd(byte[] sent, int backslash) {
        if (backslash + 1 < sent.length && sent[backslash + 1] == 'u') {
            int escaped = hex4(sent, backslash + 2);
            return escaped <= 0 || escaped >= 0x80 ? -1 : backslash + 5;
        }
        return backslash + 1;
    }

    /** Where the number at {@code start} ends (its last byte), or -1 when jsonb would not keep it as written. */
    private static int numberEnd(byte[] sent, int start) {
        int end = start + 1;
        boolean integer = true;
        while (end < sent.length && isNumberByte(sent[end])) {
            integer &= isDigit(sent[end]);
            end++;
        }
        if (!integer && !fractionAsSerialized(new String(sent, start, end - start, StandardCharsets.US_ASCII))) {
            return -1;
        }
        return end - 1;
    }

    /** The bytes as text when they are strictly UTF-8; null otherwise. */
    private static String strictUtf8(byte[] sent) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(sent))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * Whether a number with a fraction reads back as the same text once parsed to a double and written
     * again (the serializer writes doubles as {@link Double#toString(double)} does). An exponent never
     * does here: jsonb's numeric cannot hold every exponent a double can be parsed from.
     */
    private static boolean fractionAsSerialized(String number) {
        if (number.indexOf('e') >= 0 || number.indexOf('E') >= 0) {
            return false;
        }
        try {
            return Double.toString(Double.parseDouble(number)).equals(number);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The four hex digits at {@code from} as a number; -1 when they are not four hex digits. */
    private static int hex4(byte[] bytes, int from) {
        if (from + 4 > bytes.length) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < from + 4; i++) {
            int digit = Character.digit(bytes[i], 16);
            if (digit < 0) {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }

    private static boolean isZeros(byte[] bytes, int from) {
        return from + 4 <= bytes.length
                && bytes[from] == '0' && bytes[from + 1] == '0' && bytes[from + 2] == '0' && bytes[from + 3] == '0';
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isNumberByte(byte b) {
        return isDigit(b) || b == '.' || b == 'e' || b == 'E' || b == '+' || b == '-';
    }
}
