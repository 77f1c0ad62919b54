package io.marketplaceindex.agent;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static io.marketplaceindex.agent.AgentFields.first;
import static io.marketplaceindex.agent.AgentFields.nonBlank;
import static io.marketplaceindex.agent.AgentFields.putNode;
import static io.marketplaceindex.agent.AgentFields.putString;
import static io.marketplaceindex.agent.AgentFields.shortText;
import static io.marketplaceindex.agent.AgentFields.string;
import static io.marketplaceindex.agent.AgentFields.tag;
import static io.marketplaceindex.agent.AgentFields.url;
import static io.marketplaceindex.agent.BoundedCopy.copy;
import static io.marketplaceindex.agent.BoundedCopy.object;
import static io.marketplaceindex.agent.BoundedCopy.value;
import static io.marketplaceindex.agent.CardMerge.jsonRpcUrl;
import static io.marketplaceindex.agent.CardMerge.pricing;
import static io.marketplaceindex.agent.CardMerge.putCardIdentity;
import static io.marketplaceindex.agent.CardMerge.recordThenCard;
import static io.marketplaceindex.agent.CardMerge.skills;

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
        putString(agent, "version", first(record, VERSION, AgentFields::nonBlankShortText));

        CardMerge.TagSet tags = capabilityTags(record);
        ArrayNode skills = cardObject == null ? null : skills(cardObject.get("skills"), tags);
        ArrayNode tagArray = agent.putArray("tags");
        tags.values.forEach(tagArray::add);
        putNode(agent, "skills", skills);

        putString(agent, "jsonRpcUrl", cardObject == null ? null : jsonRpcUrl(cardObject));
        agent.put("agentCardUrl", agentCardUrl);
        putString(agent, "documentationUrl", recordThenCard(record, DOCUMENTATION_URL, cardObject, CARD_DOCUMENTATION_URL));
        putString(agent, "sourceUrl", recordThenCard(record, SOURCE_URL, cardObject, SOURCE_URL));
        putString(agent, "publishedAt", first(record, PUBLISHED_AT, AgentFields::nonBlankShortText));
        putString(agent, "updatedAt", first(record, UPDATED_AT, AgentFields::nonBlankShortText));
        putNode(agent, "pricing", pricing(record, cardObject));
        putNode(agent, "inputModalities", modalities(record, INPUT_MODALITIES));
        putNode(agent, "outputModalities", modalities(record, OUTPUT_MODALITIES));

        agent.put("registryId", registry.id());
        agent.put("registryName", registry.name());
        agent.put("registryUrl", registry.url());

        putRecordExtensions(agent, record);

        int bytes = AgentIndexFields.canonicalBytes(agent).length;
        if (bytes > AgentBudgets.AGENT_JSON_BYTES) {
            return Result.refused("over_budget", "normalized agent is " + bytes + " bytes of JSON, over the budget of "
                    + AgentBudgets.AGENT_JSON_BYTES);
        }
        return Result.of(agent);
    }

    /** The record's capabilities as the agent's first tags, within the capabilities' own count. */
    private static CardMerge.TagSet capabilityTags(JsonNode record) {
        CardMerge.TagSet tags = new CardMerge.TagSet();
        JsonNode capabilities = record.get("capabilities");
        if (capabilities != null && capabilities.isArray()) {
            for (JsonNode value : capabilities) {
                if (tags.size() >= AgentBudgets.CAPABILITIES) {
                    break;
                }
                tags.add(tag(value));
            }
        }
        return tags;
    }

    /** The fields after the registry's, which only a record provides; still in {@link #FIELD_ORDER}. */
    private static void putRecordExtensions(ObjectNode agent, JsonNode record) {
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
                BoundedCopy.Copied copied = copy(item, 1, AgentBudgets.BUYER_INPUTS_JSON_BYTES - bytes - comma);
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
}
