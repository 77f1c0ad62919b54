package io.marketplaceindex.agent;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.function.Function;

/**
 * Reading one field a registry sent: a value of the wrong JSON type, an unstorable string or a URL
 * that is not absolute http(s) reads as absent; text is cut to its budget at a code-point boundary.
 */
final class AgentFields {

    private AgentFields() {
    }

    /** A tag: a non-blank string, cut to its budget (and still not blank). */
    static String tag(JsonNode node) {
        String value = truncated(node, AgentBudgets.TAG_CODE_POINTS);
        return value == null || Text.isBlank(value) ? null : value;
    }

    /** {@link #httpUrl(String)} of a string node; null for anything else. */
    static String url(JsonNode node) {
        String value = string(node);
        return value == null ? null : httpUrl(value);
    }

    /**
     * The URL when it is one a client may render as a link: it starts with {@code http://} or
     * {@code https://} (any case) and a host, has no whitespace or control character anywhere (a
     * browser strips those, which is how {@code "java\tscript:"} or a leading space smuggles a scheme
     * past a prefix test), and fits {@link AgentBudgets#URL_JSON_BYTES}. Anything else is
     * {@code null}: dropped, never repaired.
     */
    static String httpUrl(String url) {
        int schemeEnd;
        if (url.regionMatches(true, 0, "https://", 0, 8)) {
            schemeEnd = 8;
        } else if (url.regionMatches(true, 0, "http://", 0, 7)) {
            schemeEnd = 7;
        } else {
            return null;
        }
        if (url.length() == schemeEnd || url.charAt(schemeEnd) == '/'
                || Text.jsonBytes(url, AgentBudgets.URL_JSON_BYTES) > AgentBudgets.URL_JSON_BYTES) {
            return null;
        }
        for (int i = 0; i < url.length(); i++) {
            char ch = url.charAt(i);
            if (ch <= 0x20 || ch == 0x7f || (ch >= 0x80 && ch <= 0x9f) || Character.isWhitespace(ch)
                    || Character.isSpaceChar(ch)) {
                return null;
            }
        }
        return url;
    }

    /** The first alias for which {@code usable} gives a value. */
    static String first(JsonNode source, List<String> aliases, Function<JsonNode, String> usable) {
        for (String alias : aliases) {
            String value = usable.apply(source.get(alias));
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** A string within {@link AgentBudgets#SHORT_TEXT_JSON_BYTES}, kept as given (not trimmed). */
    static String shortText(JsonNode node) {
        String value = string(node);
        return value != null
                && Text.jsonBytes(value, AgentBudgets.SHORT_TEXT_JSON_BYTES) <= AgentBudgets.SHORT_TEXT_JSON_BYTES
                ? value : null;
    }

    /** {@link #shortText} that is not blank: an alias that is blank lets the next one answer. */
    static String nonBlankShortText(JsonNode node) {
        String value = shortText(node);
        return value == null || Text.isBlank(value) ? null : value;
    }

    static String nonBlank(JsonNode node) {
        String value = string(node);
        return value == null || Text.isBlank(value) ? null : value;
    }

    /** A storable string cut to {@code maxCodePoints}, or {@code null} for anything else. */
    static String truncated(JsonNode node, int maxCodePoints) {
        String value = string(node);
        return value == null ? null : Text.truncateCodePoints(value, maxCodePoints);
    }

    /** A storable string value, or {@code null} for anything else (wrong type, unstorable). */
    static String string(JsonNode node) {
        if (node == null || !node.isString()) {
            return null;
        }
        String value = node.stringValue();
        return Text.isStorable(value) ? value : null;
    }

    static void putString(ObjectNode target, String field, String value) {
        if (value != null) {
            target.put(field, value);
        }
    }

    static void putNode(ObjectNode target, String field, JsonNode value) {
        if (value != null) {
            target.set(field, value);
        }
    }
}
