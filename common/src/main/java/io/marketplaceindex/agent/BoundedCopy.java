package io.marketplaceindex.agent;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.Locale;
import java.util.Map;

import static io.marketplaceindex.agent.AgentFields.httpUrl;

/** The budgets applied to values passed through without a schema (pricing, public keys, proofs, buyer inputs). */
final class BoundedCopy {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private BoundedCopy() {
    }

    static JsonNode object(JsonNode value, int budget) {
        return value != null && value.isObject() ? value(copy(value, 0, budget)) : null;
    }

    /** A copied value with its {@link Text#jsonBytes JSON size}. */
    record Copied(JsonNode node, long bytes) {
    }

    static JsonNode value(Copied copied) {
        return copied == null ? null : copied.node();
    }

    /**
     * A bounded copy of a value passed through without a schema: unstorable strings, nulls, non-finite
     * numbers and anything deeper than {@link AgentBudgets#COPY_DEPTH} are dropped, containers keep at
     * most {@link AgentBudgets#COPY_ENTRIES} entries, and the copy's JSON stays within {@code budget}
     * bytes: an entry that does not fit in the room left is left out and later ones are still tried.
     * A string under a key naming a link ({@code …url}, {@code …href}, {@code …link}) is kept only
     * when it is an http(s) URL. Value nodes are immutable and shared; containers are rebuilt.
     *
     * <p>Copying a copy with the same budget gives it back unchanged: each kept entry meets the same
     * room left as before, and the room only shrinks, so what was left out stays out.
     *
     * @return the copy, or {@code null} when the value itself is dropped or does not fit
     */
    static Copied copy(JsonNode value, int depth, long budget) {
        switch (value.getNodeType()) {
            case STRING: {
                String s = value.stringValue();
                if (!Text.isStorable(s)) {
                    return null;
                }
                long bytes = Text.jsonBytes(s, budget);
                return bytes <= budget ? new Copied(value, bytes) : null;
            }
            case NUMBER: {
                // only binary floating point can be NaN or infinite; a BigDecimal beyond double's range is finite
                if ((value.isDouble() || value.isFloat()) && !Double.isFinite(value.doubleValue())) {
                    return null;
                }
                long bytes = value.toString().length();
                return bytes <= budget ? new Copied(value, bytes) : null;
            }
            case BOOLEAN: {
                long bytes = value.booleanValue() ? 4 : 5;
                return bytes <= budget ? new Copied(value, bytes) : null;
            }
            case ARRAY:
                return copyArray(value, depth, budget);
            case OBJECT:
                return copyObject(value, depth, budget);
            default:
                // null, missing, binary and POJO nodes carry nothing a registry could mean
                return null;
        }
    }

    private static Copied copyArray(JsonNode value, int depth, long budget) {
        if (depth >= AgentBudgets.COPY_DEPTH || budget < 2) {
            return null;
        }
        ArrayNode out = NODES.arrayNode();
        long bytes = 2;
        for (JsonNode item : value) {
            long comma = out.isEmpty() ? 0 : 1;
            Copied copied = copy(item, depth + 1, budget - bytes - comma);
            if (copied != null) {
                out.add(copied.node());
                bytes += copied.bytes() + comma;
                if (out.size() == AgentBudgets.COPY_ENTRIES) {
                    break;
                }
            }
        }
        return new Copied(out, bytes);
    }

    /** A string under a key naming a link is kept only when it is an http(s) URL; unstorable keys are dropped. */
    private static Copied copyObject(JsonNode value, int depth, long budget) {
        if (depth >= AgentBudgets.COPY_DEPTH || budget < 2) {
            return null;
        }
        ObjectNode out = NODES.objectNode();
        long bytes = 2;
        for (Map.Entry<String, JsonNode> property : value.properties()) {
            String key = property.getKey();
            if (!Text.isStorable(key)) {
                continue;
            }
            JsonNode item = property.getValue();
            if (item.isString() && namesLink(key) && httpUrl(item.stringValue()) == null) {
                continue;
            }
            long overhead = (out.isEmpty() ? 0 : 1) + Text.jsonBytes(key, budget) + 1;
            Copied copied = copy(item, depth + 1, budget - bytes - overhead);
            if (copied != null) {
                out.set(key, copied.node());
                bytes += copied.bytes() + overhead;
                if (out.size() == AgentBudgets.COPY_ENTRIES) {
                    break;
                }
            }
        }
        return new Copied(out, bytes);
    }

    private static boolean namesLink(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.endsWith("url") || lower.endsWith("href") || lower.endsWith("link");
    }
}
