package io.marketplaceindex.agent;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.marketplaceindex.agent.AgentFields.first;
import static io.marketplaceindex.agent.AgentFields.putString;
import static io.marketplaceindex.agent.AgentFields.shortText;
import static io.marketplaceindex.agent.AgentFields.string;
import static io.marketplaceindex.agent.AgentFields.tag;
import static io.marketplaceindex.agent.AgentFields.truncated;
import static io.marketplaceindex.agent.AgentFields.url;
import static io.marketplaceindex.agent.BoundedCopy.copy;
import static io.marketplaceindex.agent.BoundedCopy.value;

/**
 * What the Agent Card adds to its record, by the compatible product's merge rules: the card's identity,
 * skills (whose tags join the agent's), JSON-RPC endpoint, links the record lacks, and pricing merged
 * over the record's.
 */
final class CardMerge {

    static final String JSONRPC_EXTENSION_URI = "https://a2a.org/extensions/jsonrpc";

    private static final List<String> RECORD_PRICING = List.of("pricing", "piloxPricing", "pricingHint");
    private static final List<String> CARD_METADATA_PRICING = List.of("pricing", "piloxPricing", "catalogPricing");
    private static final List<String> CARD_PRICING = List.of("pricing", "piloxPricing");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private CardMerge() {
    }

    /** name, description, icon, author and protocolVersion, which only a card provides. */
    static void putCardIdentity(ObjectNode agent, JsonNode card, String handle) {
        String name = truncated(card.get("name"), AgentBudgets.NAME_CODE_POINTS);
        // the compatible rule: a missing or blank name falls back to the handle, so every agent sorts and shows
        agent.put("name", name == null || Text.isBlank(name) ? handle : name);
        putString(agent, "description", truncated(card.get("description"), AgentBudgets.DESCRIPTION_CODE_POINTS));
        putString(agent, "icon", url(card.get("iconUrl")));
        JsonNode provider = card.get("provider");
        putString(agent, "author", provider != null && provider.isObject()
                ? truncated(provider.get("organization"), AgentBudgets.AUTHOR_CODE_POINTS) : null);
        putString(agent, "protocolVersion", shortText(card.get("protocolVersion")));
    }

    /**
     * The card's skills, each reduced to {id, name, description, tags}; their tags are also added to the
     * agent's. Entries that are not objects are skipped, but a default id uses the entry's position in
     * the card's own array so it does not shift when a neighbour is malformed. A skill that would take
     * the skills past {@link AgentBudgets#SKILLS_JSON_BYTES} is left out, tags and all.
     */
    static ArrayNode skills(JsonNode skillsNode, TagSet agentTags) {
        if (skillsNode == null || !skillsNode.isArray()) {
            return null;
        }
        ArrayNode out = NODES.arrayNode();
        long bytes = 2;
        for (int i = 0; i < skillsNode.size() && out.size() < AgentBudgets.SKILLS; i++) {
            JsonNode skill = skillsNode.get(i);
            if (!skill.isObject()) {
                continue;
            }
            ObjectNode normalized = NODES.objectNode();
            String id = truncated(skill.get("id"), AgentBudgets.SKILL_ID_CODE_POINTS);
            normalized.put("id", id == null || Text.isBlank(id) ? "skill-" + i : id);
            putString(normalized, "name", truncated(skill.get("name"), AgentBudgets.SKILL_NAME_CODE_POINTS));
            putString(normalized, "description",
                    truncated(skill.get("description"), AgentBudgets.SKILL_DESCRIPTION_CODE_POINTS));
            Set<String> skillTags = new LinkedHashSet<>();
            ArrayNode tagArray = normalized.putArray("tags");
            JsonNode rawTags = skill.get("tags");
            if (rawTags != null && rawTags.isArray()) {
                for (JsonNode rawTag : rawTags) {
                    if (tagArray.size() == AgentBudgets.SKILL_TAGS) {
                        break;
                    }
                    String value = tag(rawTag);
                    if (value != null) {
                        // a skill lists its own tags as given, repeats included; only the agent's set is deduplicated
                        tagArray.add(value);
                        skillTags.add(value);
                    }
                }
            }
            long cost = jsonBytes(normalized) + (out.isEmpty() ? 0 : 1);
            if (bytes + cost > AgentBudgets.SKILLS_JSON_BYTES) {
                continue;
            }
            bytes += cost;
            out.add(normalized);
            skillTags.forEach(agentTags::add);
        }
        return out;
    }

    /**
     * The card's JSON-RPC endpoint, in the compatible order: its own {@code url}, then the A2A JSON-RPC
     * extension's {@code params.url}, then the first {@code services[]} entry of type {@code jsonrpc}.
     * Every candidate must be an absolute http(s) URL ({@link AgentFields#url}), so a {@code javascript:} or
     * relative URL never becomes a link and the next candidate is tried instead.
     */
    static String jsonRpcUrl(JsonNode card) {
        String direct = url(card.get("url"));
        if (direct != null) {
            return direct;
        }
        JsonNode capabilities = card.get("capabilities");
        JsonNode extensions = capabilities != null && capabilities.isObject() ? capabilities.get("extensions") : null;
        if (extensions != null && extensions.isArray()) {
            for (JsonNode extension : extensions) {
                if (extension.isObject() && JSONRPC_EXTENSION_URI.equals(string(extension.get("uri")))) {
                    JsonNode params = extension.get("params");
                    String url = params != null && params.isObject() ? url(params.get("url")) : null;
                    if (url != null) {
                        return url;
                    }
                }
            }
        }
        JsonNode services = card.get("services");
        if (services != null && services.isArray()) {
            for (JsonNode service : services) {
                if (service.isObject() && "jsonrpc".equals(string(service.get("type")))) {
                    String url = url(service.get("url"));
                    if (url != null) {
                        return url;
                    }
                }
            }
        }
        return null;
    }

    /**
     * The record's first alias holding a usable URL, else the card's: a record alias that is blank or
     * not http(s) lets the next alias, then the card, answer.
     */
    static String recordThenCard(JsonNode record, List<String> recordAliases, JsonNode card,
                                         List<String> cardAliases) {
        String fromRecord = first(record, recordAliases, AgentFields::url);
        if (fromRecord != null || card == null) {
            return fromRecord;
        }
        return first(card, cardAliases, AgentFields::url);
    }

    /**
     * The record's pricing, then the card's shallow-merged over it, card keys winning. As in the compatible
     * product the card has two sources applied in turn, {@code metadata.*} first and the top-level
     * {@code pricing|piloxPricing} last, so the top level wins over metadata. The merge is bounded again
     * as a whole.
     */
    static ObjectNode pricing(JsonNode record, JsonNode card) {
        ObjectNode pricing = firstNonEmptyObject(record, RECORD_PRICING);
        if (card != null) {
            JsonNode metadata = card.get("metadata");
            if (metadata != null && metadata.isObject()) {
                pricing = shallowMerge(pricing, firstNonEmptyObject(metadata, CARD_METADATA_PRICING));
            }
            pricing = shallowMerge(pricing, firstNonEmptyObject(card, CARD_PRICING));
        }
        if (pricing == null) {
            return null;
        }
        JsonNode bounded = value(copy(pricing, 0, AgentBudgets.PRICING_JSON_BYTES));
        return bounded != null && !bounded.isEmpty() ? (ObjectNode) bounded : null;
    }

    /** {@code {...base, ...over}}: keys of {@code base} keep their position, new keys come after. */
    private static ObjectNode shallowMerge(ObjectNode base, ObjectNode over) {
        if (over == null) {
            return base;
        }
        if (base == null) {
            return over;
        }
        base.setAll(over);
        return base;
    }

    /**
     * The first alias holding an object with something in it. An empty object is skipped like a blank
     * string: the compatible product ignored pricing objects without any usable field.
     */
    private static ObjectNode firstNonEmptyObject(JsonNode source, List<String> aliases) {
        for (String alias : aliases) {
            JsonNode value = source.get(alias);
            if (value != null && value.isObject()) {
                JsonNode copied = value(copy(value, 0, AgentBudgets.PRICING_JSON_BYTES));
                if (copied != null && !copied.isEmpty()) {
                    return (ObjectNode) copied;
                }
            }
        }
        return null;
    }

    /** The {@link Text#jsonBytes JSON size} of a normalized skill: strings and arrays of strings only. */
    private static long jsonBytes(ObjectNode skill) {
        long bytes = 2;
        for (Map.Entry<String, JsonNode> property : skill.properties()) {
            bytes += (bytes == 2 ? 0 : 1) + Text.jsonBytes(property.getKey(), Long.MAX_VALUE) + 1;
            JsonNode value = property.getValue();
            if (value.isArray()) {
                bytes += 2 + Math.max(0, value.size() - 1);
                for (JsonNode item : value) {
                    bytes += Text.jsonBytes(item.stringValue(), Long.MAX_VALUE);
                }
            } else {
                bytes += Text.jsonBytes(value.stringValue(), Long.MAX_VALUE);
            }
        }
        return bytes;
    }

    /**
     * The agent's tags within their budgets. A tag that does not fit is left out and later ones are still
     * tried: the room left only shrinks, so normalizing the result again leaves out the same tags.
     */
    static final class TagSet {
        final Set<String> values = new LinkedHashSet<>();
        long bytes = 2;

        int size() {
            return values.size();
        }

        void add(String tag) {
            if (tag == null || values.contains(tag) || values.size() >= AgentBudgets.TAGS) {
                return;
            }
            long cost = Text.jsonBytes(tag, AgentBudgets.TAGS_JSON_BYTES) + (values.isEmpty() ? 0 : 1);
            if (bytes + cost <= AgentBudgets.TAGS_JSON_BYTES) {
                values.add(tag);
                bytes += cost;
            }
        }
    }
}
