package io.marketplaceindex.agent;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of the normalizer over randomized JSON of any shape and size ({@link JsonArbitraries}).
 *
 * <p><b>Idempotence</b>, precisely: let {@code A = normalize(record, card)}. Feed {@code A} back as the
 * inputs it reads: a record of {@code A}'s record-side fields ({@code handle}, {@code agentCardUrl},
 * {@code version}, {@code tags} as {@code capabilities}, {@code documentationUrl}, {@code sourceUrl},
 * the dates, {@code pricing}, the modalities and the pass-through fields) and a card of its card-side
 * fields ({@code name} unless it is the handle it fell back to, {@code description}, {@code icon} as
 * {@code iconUrl}, {@code author} as {@code provider.organization}, {@code protocolVersion},
 * {@code jsonRpcUrl} as {@code url}, {@code skills}). Normalizing those gives {@code A} again, equal as
 * JSON: a budget applied once is applied the same way the next time, so a row is never rewritten
 * because its agent was normalized twice.
 *
 * <p>The number of tries is the tier's ({@code jqwik.tries.default}): a few dozen in the unit tier
 * ({@code junit-platform.properties}), the full number in {@link AgentNormalizerPropertiesIT}.
 */
class AgentNormalizerPropertiesTest {

    private static final RegistryRef REGISTRY = AgentNormalizerTest.REGISTRY;
    private static final List<String> URL_FIELDS = List.of("icon", "jsonRpcUrl", "agentCardUrl", "documentationUrl",
            "sourceUrl", "didDocumentUrl", "meshDescriptorUrl");

    private final AgentNormalizer normalizer = new AgentNormalizer();

    @Provide
    Arbitrary<JsonNode> records() {
        return JsonArbitraries.records();
    }

    @Provide
    Arbitrary<JsonNode> cards() {
        return JsonArbitraries.cards();
    }

    // shrinking kept short: a failing input of this size is reported as found rather than minimized for minutes
    @Property(shrinking = ShrinkingMode.OFF, seed = "20261206")
    void neverThrowsStaysWithinEveryBudgetAndIsIdempotent(@ForAll("records") JsonNode record,
                                                          @ForAll("cards") JsonNode card) {
        AgentNormalizer.Result result = normalizer.normalizeOrExplain(record, card, REGISTRY);
        if (result.agent() == null) {
            assertThat(result.kind()).isIn("malformed_record", "over_budget");
            assertThat(result.reason()).isNotBlank();
            return;
        }
        ObjectNode agent = result.agent();
        assertWithinBudgets(agent);

        ObjectNode again = normalizer.normalizeOrExplain(recordOf(agent), cardOf(agent), REGISTRY).agent();
        assertThat(again).as("normalizing the normalized agent's fields again").isEqualTo(agent);
    }

    static void assertWithinBudgets(ObjectNode agent) {
        byte[] canonical = AgentIndexFields.canonicalBytes(agent);
        assertThat(canonical.length).isLessThanOrEqualTo(AgentBudgets.AGENT_JSON_BYTES);
        assertAllStorable(agent);

        String handle = agent.get("handle").stringValue();
        assertThat(Handles.isValid(handle)).isTrue();
        String name = agent.get("name").stringValue();
        if (!name.equals(handle)) {
            assertThat(codePoints(name)).isLessThanOrEqualTo(AgentBudgets.NAME_CODE_POINTS);
        }
        assertCodePoints(agent.get("description"), AgentBudgets.DESCRIPTION_CODE_POINTS);
        assertCodePoints(agent.get("author"), AgentBudgets.AUTHOR_CODE_POINTS);
        for (String field : URL_FIELDS) {
            JsonNode url = agent.get(field);
            if (url != null) {
                assertThat(AgentFields.httpUrl(url.stringValue())).as(field).isNotNull();
                assertThat(bytes(url)).isLessThanOrEqualTo(AgentBudgets.URL_JSON_BYTES);
            }
        }
        for (String field : List.of("version", "publishedAt", "updatedAt", "schema", "validUntil", "controllerDid",
                "protocolVersion")) {
            JsonNode value = agent.get(field);
            if (value != null) {
                assertThat(bytes(value)).as(field).isLessThanOrEqualTo(AgentBudgets.SHORT_TEXT_JSON_BYTES);
            }
        }

        JsonNode tags = agent.get("tags");
        assertThat(tags.size()).isLessThanOrEqualTo(AgentBudgets.TAGS);
        assertThat(bytes(tags)).isLessThanOrEqualTo(AgentBudgets.TAGS_JSON_BYTES);
        tags.forEach(tag -> assertCodePoints(tag, AgentBudgets.TAG_CODE_POINTS));

        JsonNode skills = agent.get("skills");
        if (skills != null) {
            assertThat(skills.size()).isLessThanOrEqualTo(AgentBudgets.SKILLS);
            assertThat(bytes(skills)).isLessThanOrEqualTo(AgentBudgets.SKILLS_JSON_BYTES);
            for (JsonNode skill : skills) {
                assertCodePoints(skill.get("id"), AgentBudgets.SKILL_ID_CODE_POINTS);
                assertCodePoints(skill.get("name"), AgentBudgets.SKILL_NAME_CODE_POINTS);
                assertCodePoints(skill.get("description"), AgentBudgets.SKILL_DESCRIPTION_CODE_POINTS);
                assertThat(skill.get("tags").size()).isLessThanOrEqualTo(AgentBudgets.SKILL_TAGS);
                skill.get("tags").forEach(tag -> assertCodePoints(tag, AgentBudgets.TAG_CODE_POINTS));
            }
        }
        for (String field : List.of("inputModalities", "outputModalities")) {
            JsonNode modalities = agent.get(field);
            if (modalities != null) {
                assertThat(modalities.size()).isLessThanOrEqualTo(AgentBudgets.MODALITIES);
                modalities.forEach(m -> assertThat(bytes(m)).isLessThanOrEqualTo(AgentBudgets.MODALITY_JSON_BYTES));
            }
        }
        assertBytes(agent.get("pricing"), AgentBudgets.PRICING_JSON_BYTES);
        assertBytes(agent.get("publicKeys"), AgentBudgets.PUBLIC_KEYS_JSON_BYTES);
        assertBytes(agent.get("proof"), AgentBudgets.PROOF_JSON_BYTES);
        assertBytes(agent.get("ttlSecondsRecommended"), AgentBudgets.NUMBER_JSON_BYTES);
        JsonNode buyerInputs = agent.get("buyerInputs");
        if (buyerInputs != null) {
            assertThat(buyerInputs.size()).isLessThanOrEqualTo(AgentBudgets.BUYER_INPUTS);
            assertBytes(buyerInputs, AgentBudgets.BUYER_INPUTS_JSON_BYTES);
        }

        AgentIndexFields fields = IndexedAgent.of(agent).fields();
        assertThat(fields.sortName().getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(AgentBudgets.SORT_NAME_UTF8_BYTES);
    }

    /** The inputs {@code agent} was read from, rebuilt from its own fields (see the class comment). */
    static ObjectNode recordOf(ObjectNode agent) {
        ObjectNode record = JsonNodeFactory.instance.objectNode();
        for (String field : List.of("handle", "agentCardUrl", "version", "documentationUrl", "sourceUrl", "publishedAt",
                "updatedAt", "pricing", "inputModalities", "outputModalities", "schema", "validUntil",
                "ttlSecondsRecommended", "controllerDid", "didDocumentUrl", "meshDescriptorUrl", "buyerInputs",
                "publicKeys", "proof")) {
            copyField(agent, field, record, field);
        }
        copyField(agent, "tags", record, "capabilities");
        return record;
    }

    static ObjectNode cardOf(ObjectNode agent) {
        ObjectNode card = JsonNodeFactory.instance.objectNode();
        if (!agent.get("name").equals(agent.get("handle"))) {
            copyField(agent, "name", card, "name");
        }
        copyField(agent, "description", card, "description");
        copyField(agent, "icon", card, "iconUrl");
        if (agent.has("author")) {
            card.putObject("provider").set("organization", agent.get("author").deepCopy());
        }
        copyField(agent, "protocolVersion", card, "protocolVersion");
        copyField(agent, "jsonRpcUrl", card, "url");
        copyField(agent, "skills", card, "skills");
        return card;
    }

    private static void copyField(ObjectNode from, String field, ObjectNode to, String as) {
        JsonNode value = from.get(field);
        if (value != null) {
            to.set(as, value.deepCopy());
        }
    }

    private static void assertAllStorable(JsonNode node) {
        if (node.isString()) {
            assertThat(Text.hasNoNulOrLoneSurrogate(node.stringValue())).isTrue();
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                assertThat(Text.hasNoNulOrLoneSurrogate(property.getKey())).isTrue();
                assertAllStorable(property.getValue());
            }
        } else if (node.isArray()) {
            node.forEach(AgentNormalizerPropertiesTest::assertAllStorable);
        } else {
            assertThat(node.isNull()).isFalse();
        }
    }

    private static void assertCodePoints(JsonNode value, int max) {
        if (value != null) {
            assertThat(codePoints(value.stringValue())).isLessThanOrEqualTo(max);
        }
    }

    private static void assertBytes(JsonNode value, int max) {
        if (value != null) {
            assertThat(bytes(value)).isLessThanOrEqualTo(max);
        }
    }

    private static int bytes(JsonNode value) {
        return AgentIndexFields.canonicalBytes(value).length;
    }

    private static int codePoints(String s) {
        return s.codePointCount(0, s.length());
    }
}
