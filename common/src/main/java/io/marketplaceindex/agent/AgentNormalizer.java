package io.marketplaceindex.agent;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns a registry record and its Agent Card into the normalized agent the index stores and the
 * catalog API serves, following the compatible product's merge rules (docs/registry-protocol.md,
 * "The normalized agent").
 *
 * <p>Reading is lenient, as the compatible product's is: unknown fields are ignored, aliases are
 * honoured, and a value of the wrong JSON type is treated as absent. A valid handle ({@link Handles})
 * and an http(s) {@code agentCardUrl} are required. Everything else a registry sends is treated as
 * hostile: every value has a budget ({@link AgentBudgets}: text is truncated at a code-point boundary,
 * identifiers, URLs and dates over theirs are dropped), strings PostgreSQL cannot store (U+0000,
 * unpaired surrogates), JSON nulls and non-finite numbers are dropped, and every URL that is not
 * absolute http(s) is dropped, so a client rendering a link is never handed {@code javascript:} or
 * {@code data:}. An agent still over {@link AgentBudgets#AGENT_JSON_BYTES} is refused.
 *
 * <p>Normalizing is idempotent: feeding a normalized agent's fields back in as a record and a card
 * (tags as capabilities, skills as skills, name omitted where it is the handle) gives the same agent,
 * so a budget applied once is never applied differently the next time.
 *
 * <p>The output is deterministic: its top-level keys always come in the order of {@link #FIELD_ORDER}
 * and nested values keep the order the registry sent, so equal inputs give byte-identical JSON. The
 * worker hashes it ({@link AgentIndexFields}) to decide whether a row must be rewritten. The output
 * shares no mutable node with the inputs.
 *
 * <p>Immutable and thread-safe.
 */
public final class AgentNormalizer {

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
     * What normalizing one record gave: the agent, or why there is none.
     *
     * @param agent  the normalized agent, or {@code null} when refused
     * @param kind   {@code malformed_record} (no valid handle or card URL) or {@code over_budget}; null for an agent
     * @param reason for the registry's error list; null for an agent
     */
    public record Result(ObjectNode agent, String kind, String reason) {

        static Result of(ObjectNode agent) {
            return new Result(agent, null, null);
        }

        static Result refused(String kind, String reason) {
            return new Result(null, kind, reason);
        }

        public Optional<ObjectNode> asOptional() {
            return Optional.ofNullable(agent);
        }
    }

    /**
     * @param record the registry record as fetched; anything but an object yields an empty result
     * @param card   the Agent Card, or {@code null} (or any non-object) when it could not be fetched:
     *               the agent is then built from the record alone
     * @return the normalized agent, or empty when {@link #normalizeOrExplain} refuses it
     */
    public Optional<ObjectNode> normalize(JsonNode record, JsonNode card, RegistryRef registry) {
        return normalizeOrExplain(record, card, registry).asOptional();
    }

    /** {@link #normalize}, saying why an agent is refused. */
    public Result normalizeOrExplain(JsonNode record, JsonNode card, RegistryRef registry) {
        Objects.requireNonNull(registry, "registry");
        if (record == null || !record.isObject()) {
            return Result.refused("malformed_record", "record is not a JSON object");
        }
        String handle = string(record.get("handle"));
        if (handle == null || !Handles.isValid(handle)) {
            return Result.refused("malformed_record",
                    "record lacks a string handle of " + Handles.MIN_LENGTH + "–" + Handles.MAX_LENGTH
                            + " code points without control characters");
        }
        String agentCardUrl = url(record.get("agentCardUrl"));
        if (agentCardUrl == null) {
            return Result.refused("malformed_record", "record lacks an absolute http(s) agentCardUrl of at most "
                    + AgentBudgets.URL_JSON_BYTES + " bytes");
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
        putString(agent, "version", first(record, VERSION, AgentNormalizer::nonBlankShortText));

        TagSet tags = new TagSet();
        JsonNode capabilities = record.get("capabilities");
        if (capabilities != null && capabilities.isArray()) {
            for (JsonNode value : capabilities) {
                if (tags.size() >= AgentBudgets.CAPABILITIES) {
                    break;
                }
                tags.add(tag(value));
            }
        }
        ArrayNode skills = cardObject == null ? null : skills(cardObject.get("skills"), tags);
        ArrayNode tagArray = agent.putArray("tags");
        tags.values.forEach(tagArray::add);
        putNode(agent, "skills", skills);

        putString(agent, "jsonRpcUrl", cardObject == null ? null : jsonRpcUrl(cardObject));
        agent.put("agentCardUrl", agentCardUrl);
        putString(agent, "documentationUrl", recordThenCard(record, DOCUMENTATION_URL, cardObject, CARD_DOCUMENTATION_URL));
        putString(agent, "sourceUrl", recordThenCard(record, SOURCE_URL, cardObject, SOURCE_URL));
        putString(agent, "publishedAt", first(record, PUBLISHED_AT, AgentNormalizer::nonBlankShortText));
        putString(agent, "updatedAt", first(record, UPDATED_AT, AgentNormalizer::nonBlankShortText));
        putNode(agent, "pricing", pricing(record, cardObject));
        putNode(agent, "inputModalities", modalities(record, INPUT_MODALITIES));
        putNode(agent, "outputModalities", modalities(record, OUTPUT_MODALITIES));

        agent.put("registryId", registry.id());
        agent.put("registryName", registry.name());
        agent.put("registryUrl", registry.url());

        putString(agent, "schema", shortText(record.get("schema")));
        putString(agent, "validUntil", shortText(record.get("validUntil")));
        JsonNode ttl = record.get("ttlSecondsRecommended");
        putNode(agent, "ttlSecondsRecommended",
                ttl != null && ttl.isNumber() ? value(copy(ttl, 0, AgentBudgets.NUMBER_JSON_BYTES)) : null);
        putString(agent, "controllerDid", shortText(record.get("controllerDid")));
        putString(agent, "didDocumentUrl", url(record.get("didDocumentUrl")));
        putString(agent, "meshDescriptorUrl", url(record.get("meshDescriptorUrl")));
        putNode(agent, "buyerInputs", buyerInputs(record.get("buyerInputs")));
        putNode(agent, "publicKeys", object(record.get("publicKeys"), AgentBudgets.PUBLIC_KEYS_JSON_BYTES));
        putNode(agent, "proof", proof(record.get("proof")));

        int bytes = AgentIndexFields.canonicalBytes(agent).length;
        if (bytes > AgentBudgets.AGENT_JSON_BYTES) {
            return Result.refused("over_budget", "normalized agent is " + bytes + " bytes of JSON, over the budget of "
                    + AgentBudgets.AGENT_JSON_BYTES);
        }
        return Result.of(agent);
    }

    /** name, description, icon, author and protocolVersion, which only a card provides. */
    private static void putCardIdentity(ObjectNode agent, JsonNode card, String handle) {
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
    private static ArrayNode skills(JsonNode skillsNode, TagSet agentTags) {
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
     * The agent's tags within their budgets. A tag that does not fit is left out and later ones are still
     * tried: the room left only shrinks, so normalizing the result again leaves out the same tags.
     */
    private static final class TagSet {
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

    /** A tag: a non-blank string, cut to its budget (and still not blank). */
    private static String tag(JsonNode node) {
        String value = truncated(node, AgentBudgets.TAG_CODE_POINTS);
        return value == null || Text.isBlank(value) ? null : value;
    }

    /**
     * The card's JSON-RPC endpoint, in the compatible order: its own {@code url}, then the A2A JSON-RPC
     * extension's {@code params.url}, then the first {@code services[]} entry of type {@code jsonrpc}.
     * Every candidate must be an absolute http(s) URL ({@link #url}), so a {@code javascript:} or
     * relative URL never becomes a link and the next candidate is tried instead.
     */
    private static String jsonRpcUrl(JsonNode card) {
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

    /** {@link #httpUrl(String)} of a string node; null for anything else. */
    private static String url(JsonNode node) {
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

    /**
     * The record's first alias holding a usable URL, else the card's: a record alias that is blank or
     * not http(s) lets the next alias, then the card, answer.
     */
    private static String recordThenCard(JsonNode record, List<String> recordAliases, JsonNode card,
                                         List<String> cardAliases) {
        String fromRecord = first(record, recordAliases, AgentNormalizer::url);
        if (fromRecord != null || card == null) {
            return fromRecord;
        }
        return first(card, cardAliases, AgentNormalizer::url);
    }

    /**
     * The record's pricing, then the card's shallow-merged over it, card keys winning. As in the compatible
     * product the card has two sources applied in turn, {@code metadata.*} first and the top-level
     * {@code pricing|piloxPricing} last, so the top level wins over metadata. The merge is bounded again
     * as a whole.
     */
    private static ObjectNode pricing(JsonNode record, JsonNode card) {
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

    /**
     * The first alias that is an array (even an empty one, as in the compatible product): non-blank
     * strings within their budget only.
     */
    private static ArrayNode modalities(JsonNode record, List<String> aliases) {
        for (String alias : aliases) {
            JsonNode value = record.get(alias);
            if (value != null && value.isArray()) {
                ArrayNode out = NODES.arrayNode();
                for (JsonNode item : value) {
                    String modality = nonBlank(item);
                    if (modality != null
                            && Text.jsonBytes(modality, AgentBudgets.MODALITY_JSON_BYTES) <= AgentBudgets.MODALITY_JSON_BYTES) {
                        out.add(modality);
                        if (out.size() == AgentBudgets.MODALITIES) {
                            break;
                        }
                    }
                }
                return out;
            }
        }
        return null;
    }

    private static JsonNode object(JsonNode value, int budget) {
        return value != null && value.isObject() ? value(copy(value, 0, budget)) : null;
    }

    /**
     * The record's proof object as given, without {@code status} and {@code reason}: those are the index's
     * verdict ({@link RecordProof#writeTo}), which a registry must not be able to write for itself.
     */
    private static JsonNode proof(JsonNode value) {
        JsonNode proof = object(value, AgentBudgets.PROOF_JSON_BYTES);
        if (proof instanceof ObjectNode copied) {
            copied.remove(List.of("status", "reason"));
        }
        return proof;
    }

    /** Buyer inputs are declarations (objects); anything else in the array is malformed and skipped. */
    private static ArrayNode buyerInputs(JsonNode value) {
        if (value == null || !value.isArray()) {
            return null;
        }
        ArrayNode out = NODES.arrayNode();
        long bytes = 2;
        for (JsonNode item : value) {
            if (item.isObject()) {
                long comma = out.isEmpty() ? 0 : 1;
                Copied copied = copy(item, 1, AgentBudgets.BUYER_INPUTS_JSON_BYTES - bytes - comma);
                if (copied != null) {
                    out.add(copied.node());
                    bytes += copied.bytes() + comma;
                    if (out.size() == AgentBudgets.BUYER_INPUTS) {
                        break;
                    }
                }
            }
        }
        return out;
    }

    /** A copied value with its {@link Text#jsonBytes JSON size}. */
    private record Copied(JsonNode node, long bytes) {
    }

    private static JsonNode value(Copied copied) {
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
    private static Copied copy(JsonNode value, int depth, long budget) {
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
            case ARRAY: {
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
            case OBJECT: {
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
            default:
                // null, missing, binary and POJO nodes carry nothing a registry could mean
                return null;
        }
    }

    private static boolean namesLink(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.endsWith("url") || lower.endsWith("href") || lower.endsWith("link");
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

    /** The first alias for which {@code usable} gives a value. */
    private static String first(JsonNode source, List<String> aliases, Function<JsonNode, String> usable) {
        for (String alias : aliases) {
            String value = usable.apply(source.get(alias));
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** A string within {@link AgentBudgets#SHORT_TEXT_JSON_BYTES}, kept as given (not trimmed). */
    private static String shortText(JsonNode node) {
        String value = string(node);
        return value != null
                && Text.jsonBytes(value, AgentBudgets.SHORT_TEXT_JSON_BYTES) <= AgentBudgets.SHORT_TEXT_JSON_BYTES
                ? value : null;
    }

    /** {@link #shortText} that is not blank: an alias that is blank lets the next one answer. */
    private static String nonBlankShortText(JsonNode node) {
        String value = shortText(node);
        return value == null || Text.isBlank(value) ? null : value;
    }

    private static String nonBlank(JsonNode node) {
        String value = string(node);
        return value == null || Text.isBlank(value) ? null : value;
    }

    /** A storable string cut to {@code maxCodePoints}, or {@code null} for anything else. */
    private static String truncated(JsonNode node, int maxCodePoints) {
        String value = string(node);
        return value == null ? null : Text.truncateCodePoints(value, maxCodePoints);
    }

    /** A storable string value, or {@code null} for anything else (wrong type, unstorable). */
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
