package io.marketplaceindex.agent;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a registry record and its Agent Card into the normalized agent the index stores and the
 * catalog API serves, following the compatible product's merge rules (DESIGN §2, "Normalized agent").
 *
 * <p>Reading is lenient, as the compatible product's is: unknown fields are ignored, aliases are
 * honoured, and a value of the wrong JSON type is treated as absent. Only a string {@code handle} and a
 * string {@code agentCardUrl} are required. Everything else a registry sends is treated as hostile:
 * strings longer than {@value Text#MAX_STRING_CHARS} chars, strings PostgreSQL cannot store (U+0000,
 * unpaired surrogates), JSON nulls and non-finite numbers are dropped, and every array is capped.
 *
 * <p>The output is deterministic: its top-level keys always come in the order of {@link #FIELD_ORDER}
 * and nested values keep the order the registry sent, so equal inputs give byte-identical JSON. The
 * worker hashes it ({@link AgentIndexFields}) to decide whether a row must be rewritten. The output
 * shares no mutable node with the inputs.
 *
 * <p>The normalizer does not validate the handle beyond its type; callers that use it as a key or in a
 * URL check it with {@link Handles#isValid(String)}.
 *
 * <p>Immutable and thread-safe.
 */
public final class AgentNormalizer {

    /** At most this many {@code record.capabilities} become tags. */
    public static final int MAX_CAPABILITIES = 64;
    /** Capabilities plus distinct skill tags. */
    public static final int MAX_TAGS = 256;
    public static final int MAX_SKILLS = 128;
    /** Per skill; a card is at most 512 kB, but one skill should not crowd out all others' tags. */
    public static final int MAX_SKILL_TAGS = 64;
    public static final int MAX_BUYER_INPUTS = 64;
    public static final int MAX_MODALITIES = 64;
    /** Values copied through without a schema (pricing, publicKeys, proof, buyer inputs) are bounded too. */
    static final int MAX_COPY_DEPTH = 16;
    static final int MAX_COPY_ENTRIES = 256;

    static final String JSONRPC_EXTENSION_URI = "https://a2a.org/extensions/jsonrpc";

    /**
     * Top-level keys of a normalized agent, in output order. Always present: {@code handle}, {@code name}
     * (the handle when the card has none), {@code tags} (possibly empty), {@code agentCardUrl},
     * {@code registryId}, {@code registryName}, {@code registryUrl}; the others only when they have a value.
     */
    public static final List<String> FIELD_ORDER = List.of(
            "handle", "name", "description", "icon", "author", "protocolVersion", "version",
            "tags", "skills", "jsonRpcUrl", "agentCardUrl", "documentationUrl", "sourceUrl",
            "publishedAt", "updatedAt", "pricing", "inputModalities", "outputModalities",
            "registryId", "registryName", "registryUrl",
            "schema", "validUntil", "ttlSecondsRecommended", "controllerDid", "didDocumentUrl",
            "meshDescriptorUrl", "buyerInputs", "publicKeys", "proof");

    private static final List<String> DOCUMENTATION_URL = List.of("documentationUrl", "docsUrl", "documentation");
    /**
     * The compatible product also read {@code documentUrl} from cards; keeping it last costs nothing and
     * keeps those cards' links.
     */
    private static final List<String> CARD_DOCUMENTATION_URL =
            List.of("documentationUrl", "docsUrl", "documentation", "documentUrl");
    private static final List<String> SOURCE_URL = List.of("sourceUrl", "repositoryUrl", "repoUrl", "codeUrl");
    private static final List<String> VERSION = List.of("version", "revision", "semver");
    private static final List<String> PUBLISHED_AT = List.of("publishedAt", "createdAt", "releaseDate");
    private static final List<String> UPDATED_AT = List.of("updatedAt", "modifiedAt", "lastUpdated");
    private static final List<String> RECORD_PRICING = List.of("pricing", "piloxPricing", "pricingHint");
    private static final List<String> CARD_METADATA_PRICING = List.of("pricing", "piloxPricing", "catalogPricing");
    private static final List<String> CARD_PRICING = List.of("pricing", "piloxPricing");
    private static final List<String> INPUT_MODALITIES = List.of("inputModalities", "input_modalities");
    private static final List<String> OUTPUT_MODALITIES = List.of("outputModalities", "output_modalities");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * @param record the registry record as fetched; anything but an object yields an empty result
     * @param card   the Agent Card, or {@code null} (or any non-object) when it could not be fetched:
     *               the agent is then built from the record alone
     * @return the normalized agent, or empty when the record lacks a string {@code handle} or
     *         {@code agentCardUrl} (the compatible product skipped such records)
     */
    public Optional<ObjectNode> normalize(JsonNode record, JsonNode card, RegistryRef registry) {
        Objects.requireNonNull(registry, "registry");
        if (record == null || !record.isObject()) {
            return Optional.empty();
        }
        String handle = string(record.get("handle"));
        String agentCardUrl = string(record.get("agentCardUrl"));
        if (handle == null || agentCardUrl == null) {
            return Optional.empty();
        }
        JsonNode cardObject = card != null && card.isObject() ? card : null;

        // the order of the puts below is the output order, FIELD_ORDER; a test holds the two together
        ObjectNode agent = NODES.objectNode();
        agent.put("handle", handle);
        if (cardObject == null) {
            agent.put("name", handle);
        } else {
            putCardIdentity(agent, cardObject, handle);
        }
        putString(agent, "version", firstNonBlank(record, VERSION));

        Set<String> tags = new LinkedHashSet<>();
        addTags(tags, record.get("capabilities"), MAX_CAPABILITIES);
        ArrayNode skills = cardObject == null ? null : skills(cardObject.get("skills"), tags);
        ArrayNode tagArray = agent.putArray("tags");
        tags.forEach(tagArray::add);
        putNode(agent, "skills", skills);

        putString(agent, "jsonRpcUrl", cardObject == null ? null : jsonRpcUrl(cardObject));
        agent.put("agentCardUrl", agentCardUrl);
        putString(agent, "documentationUrl", recordThenCard(record, DOCUMENTATION_URL, cardObject, CARD_DOCUMENTATION_URL));
        putString(agent, "sourceUrl", recordThenCard(record, SOURCE_URL, cardObject, SOURCE_URL));
        putString(agent, "publishedAt", firstNonBlank(record, PUBLISHED_AT));
        putString(agent, "updatedAt", firstNonBlank(record, UPDATED_AT));
        putNode(agent, "pricing", pricing(record, cardObject));
        putNode(agent, "inputModalities", modalities(record, INPUT_MODALITIES));
        putNode(agent, "outputModalities", modalities(record, OUTPUT_MODALITIES));

        agent.put("registryId", registry.id());
        agent.put("registryName", registry.name());
        agent.put("registryUrl", registry.url());

        putString(agent, "schema", string(record.get("schema")));
        putString(agent, "validUntil", string(record.get("validUntil")));
        JsonNode ttl = record.get("ttlSecondsRecommended");
        putNode(agent, "ttlSecondsRecommended", ttl != null && ttl.isNumber() ? copy(ttl, 0) : null);
        putString(agent, "controllerDid", string(record.get("controllerDid")));
        putString(agent, "didDocumentUrl", string(record.get("didDocumentUrl")));
        putString(agent, "meshDescriptorUrl", string(record.get("meshDescriptorUrl")));
        putNode(agent, "buyerInputs", buyerInputs(record.get("buyerInputs")));
        putNode(agent, "publicKeys", object(record.get("publicKeys")));
        putNode(agent, "proof", object(record.get("proof")));
        return Optional.of(agent);
    }

    /** name, description, icon, author and protocolVersion, which only a card provides. */
    private static void putCardIdentity(ObjectNode agent, JsonNode card, String handle) {
        String name = string(card.get("name"));
        // the compatible rule: a missing or blank name falls back to the handle, so every agent sorts and shows
        agent.put("name", name == null || Text.isBlank(name) ? handle : name);
        putString(agent, "description", string(card.get("description")));
        putString(agent, "icon", string(card.get("iconUrl")));
        JsonNode provider = card.get("provider");
        putString(agent, "author", provider != null && provider.isObject() ? string(provider.get("organization")) : null);
        putString(agent, "protocolVersion", string(card.get("protocolVersion")));
    }

    /**
     * The card's skills, each reduced to {id, name, description, tags}; their tags are also added to the
     * agent's. Entries that are not objects are skipped, but a default id uses the entry's position in
     * the card's own array so it does not shift when a neighbour is malformed.
     */
    private static ArrayNode skills(JsonNode skillsNode, Set<String> agentTags) {
        if (skillsNode == null || !skillsNode.isArray()) {
            return null;
        }
        ArrayNode out = NODES.arrayNode();
        for (int i = 0; i < skillsNode.size() && out.size() < MAX_SKILLS; i++) {
            JsonNode skill = skillsNode.get(i);
            if (!skill.isObject()) {
                continue;
            }
            ObjectNode normalized = out.addObject();
            String id = string(skill.get("id"));
            normalized.put("id", id == null || Text.isBlank(id) ? "skill-" + i : id);
            putString(normalized, "name", string(skill.get("name")));
            putString(normalized, "description", string(skill.get("description")));
            Set<String> skillTags = new LinkedHashSet<>();
            ArrayNode tagArray = normalized.putArray("tags");
            JsonNode rawTags = skill.get("tags");
            if (rawTags != null && rawTags.isArray()) {
                for (JsonNode tag : rawTags) {
                    String value = nonBlank(tag);
                    if (value != null) {
                        // a skill lists its own tags as given, repeats included; only the agent's set is deduplicated
                        tagArray.add(value);
                        skillTags.add(value);
                        if (tagArray.size() == MAX_SKILL_TAGS) {
                            break;
                        }
                    }
                }
            }
            for (String tag : skillTags) {
                if (agentTags.size() >= MAX_TAGS) {
                    break;
                }
                agentTags.add(tag);
            }
        }
        return out;
    }

    private static void addTags(Set<String> tags, JsonNode values, int limit) {
        if (values == null || !values.isArray()) {
            return;
        }
        for (JsonNode value : values) {
            if (tags.size() >= limit) {
                return;
            }
            String tag = nonBlank(value);
            if (tag != null) {
                tags.add(tag);
            }
        }
    }

    /**
     * The card's JSON-RPC endpoint, in the compatible order: its own {@code url}, then the A2A JSON-RPC
     * extension's {@code params.url}, then the first {@code services[]} entry of type {@code jsonrpc}.
     * Every candidate must start with "http", as in the compatible product, so a {@code javascript:} or
     * relative URL never becomes a link and the next candidate is tried instead.
     */
    private static String jsonRpcUrl(JsonNode card) {
        String direct = httpUrl(card.get("url"));
        if (direct != null) {
            return direct;
        }
        JsonNode capabilities = card.get("capabilities");
        JsonNode extensions = capabilities != null && capabilities.isObject() ? capabilities.get("extensions") : null;
        if (extensions != null && extensions.isArray()) {
            for (JsonNode extension : extensions) {
                if (extension.isObject() && JSONRPC_EXTENSION_URI.equals(string(extension.get("uri")))) {
                    JsonNode params = extension.get("params");
                    String url = params != null && params.isObject() ? httpUrl(params.get("url")) : null;
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
                    String url = httpUrl(service.get("url"));
                    if (url != null) {
                        return url;
                    }
                }
            }
        }
        return null;
    }

    private static String httpUrl(JsonNode node) {
        String url = string(node);
        return url != null && url.startsWith("http") ? url : null;
    }

    private static String recordThenCard(JsonNode record, List<String> recordAliases, JsonNode card,
                                         List<String> cardAliases) {
        String fromRecord = firstNonBlank(record, recordAliases);
        if (fromRecord != null || card == null) {
            return fromRecord;
        }
        return firstNonBlank(card, cardAliases);
    }

    /**
     * The record's pricing, then the card's shallow-merged over it, card keys winning. As in the compatible
     * product the card has two sources applied in turn, {@code metadata.*} first and the top-level
     * {@code pricing|piloxPricing} last, so the top level wins over metadata.
     */
    private static ObjectNode pricing(JsonNode record, JsonNode card) {
        ObjectNode pricing = firstNonEmptyObject(record, RECORD_PRICING);
        if (card == null) {
            return pricing;
        }
        JsonNode metadata = card.get("metadata");
        if (metadata != null && metadata.isObject()) {
            pricing = shallowMerge(pricing, firstNonEmptyObject(metadata, CARD_METADATA_PRICING));
        }
        return shallowMerge(pricing, firstNonEmptyObject(card, CARD_PRICING));
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
                JsonNode copied = copy(value, 0);
                if (copied != null && !copied.isEmpty()) {
                    return (ObjectNode) copied;
                }
            }
        }
        return null;
    }

    /** The first alias that is an array (even an empty one, as in the compatible product), non-blank strings only. */
    private static ArrayNode modalities(JsonNode record, List<String> aliases) {
        for (String alias : aliases) {
            JsonNode value = record.get(alias);
            if (value != null && value.isArray()) {
                ArrayNode out = NODES.arrayNode();
                for (JsonNode item : value) {
                    String modality = nonBlank(item);
                    if (modality != null) {
                        out.add(modality);
                        if (out.size() == MAX_MODALITIES) {
                            break;
                        }
                    }
                }
                return out;
            }
        }
        return null;
    }

    private static JsonNode object(JsonNode value) {
        return value != null && value.isObject() ? copy(value, 0) : null;
    }

    /** Buyer inputs are declarations (objects); anything else in the array is malformed and skipped. */
    private static ArrayNode buyerInputs(JsonNode value) {
        if (value == null || !value.isArray()) {
            return null;
        }
        ArrayNode out = NODES.arrayNode();
        for (JsonNode item : value) {
            if (item.isObject()) {
                JsonNode copied = copy(item, 0);
                if (copied != null) {
                    out.add(copied);
                    if (out.size() == MAX_BUYER_INPUTS) {
                        break;
                    }
                }
            }
        }
        return out;
    }

    /**
     * A bounded copy of a value passed through without a schema: unstorable strings, nulls, non-finite
     * numbers and anything deeper than {@link #MAX_COPY_DEPTH} are dropped, containers keep at most
     * {@link #MAX_COPY_ENTRIES} entries. Value nodes are immutable and shared; containers are rebuilt.
     *
     * @return the copy, or {@code null} when the value itself is dropped
     */
    private static JsonNode copy(JsonNode value, int depth) {
        switch (value.getNodeType()) {
            case STRING:
                return Text.isStorable(value.stringValue()) ? value : null;
            case NUMBER:
                return !value.isFloatingPointNumber() || Double.isFinite(value.doubleValue()) ? value : null;
            case BOOLEAN:
                return value;
            case ARRAY: {
                if (depth >= MAX_COPY_DEPTH) {
                    return null;
                }
                ArrayNode out = NODES.arrayNode();
                for (JsonNode item : value) {
                    JsonNode copied = copy(item, depth + 1);
                    if (copied != null) {
                        out.add(copied);
                        if (out.size() == MAX_COPY_ENTRIES) {
                            break;
                        }
                    }
                }
                return out;
            }
            case OBJECT: {
                if (depth >= MAX_COPY_DEPTH) {
                    return null;
                }
                ObjectNode out = NODES.objectNode();
                for (Map.Entry<String, JsonNode> property : value.properties()) {
                    if (!Text.isStorable(property.getKey())) {
                        continue;
                    }
                    JsonNode copied = copy(property.getValue(), depth + 1);
                    if (copied != null) {
                        out.set(property.getKey(), copied);
                        if (out.size() == MAX_COPY_ENTRIES) {
                            break;
                        }
                    }
                }
                return out;
            }
            default:
                // null, missing, binary and POJO nodes carry nothing a registry could mean
                return null;
        }
    }

    /** The first alias holding a non-blank string, kept as given (not trimmed). */
    private static String firstNonBlank(JsonNode source, List<String> aliases) {
        for (String alias : aliases) {
            String value = nonBlank(source.get(alias));
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static String nonBlank(JsonNode node) {
        String value = string(node);
        return value == null || Text.isBlank(value) ? null : value;
    }

    /** A storable string value, or {@code null} for anything else (wrong type, too long, unstorable). */
    private static String string(JsonNode node) {
        if (node == null || !node.isString()) {
            return null;
        }
        String value = node.stringValue();
        return Text.isStorable(value) ? value : null;
    }

    private static void putString(ObjectNode target, String field, String value) {
        if (value != null) {
            target.put(field, value);
        }
    }

    private static void putNode(ObjectNode target, String field, JsonNode value) {
        if (value != null) {
            target.set(field, value);
        }
    }
}
