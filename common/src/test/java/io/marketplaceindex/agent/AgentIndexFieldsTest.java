package io.marketplaceindex.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.marketplaceindex.agent.AgentNormalizerTest.FULL_CARD;
import static io.marketplaceindex.agent.AgentNormalizerTest.FULL_RECORD;
import static io.marketplaceindex.agent.AgentNormalizerTest.REGISTRY;
import static io.marketplaceindex.agent.AgentNormalizerTest.json;
import static io.marketplaceindex.agent.AgentNormalizerTest.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class AgentIndexFieldsTest {

    private static final String US = "\u001f";
    private final AgentNormalizer normalizer = new AgentNormalizer();

    private ObjectNode fullAgent() {
        return normalizer.normalize(record(FULL_RECORD), json(FULL_CARD), REGISTRY).orElseThrow();
    }

    @Test
    void fieldsOfAFullAgent() {
        AgentIndexFields fields = AgentIndexFields.of(fullAgent());
        assertThat(fields.sortName()).isEqualTo("agent one");
        assertThat(fields.searchText()).isEqualTo(String.join(US,
                "agent one", "answers questions", "agent-one", "acme", "chat", "search", "qa", "web"));
        assertThat(fields.tags()).containsExactly("chat", "search", "qa", "web");
    }

    @ParameterizedTest(name = "sortName of name={0} handle={1} is {2}")
    @CsvSource(delimiter = '|', value = {
            "Agent One | agent-one | agent one",
            "Ünïcode   | h         | ünïcode",
            "ÅNGSTRÖM  | h         | ångström",
            "'   '     | Zeta      | zeta",
            "''        | Zeta      | zeta",
            "          | Zeta      | zeta",
    })
    void sortNameIsTheLowerCasedNameOrHandle(String name, String handle, String expected) {
        ObjectNode agent = AgentNormalizerTest.JSON.createObjectNode().put("handle", handle);
        if (name != null) {
            agent.put("name", name);
        }
        assertThat(AgentIndexFields.of(agent).sortName()).isEqualTo(expected);
    }

    @Test
    void lowerCasingIgnoresTheServersLocale() {
        Locale before = Locale.getDefault();
        try {
            // in Turkish, "I".toLowerCase() is a dotless ı: the index and the API must not depend on the host
            Locale.setDefault(Locale.forLanguageTag("tr-TR"));
            ObjectNode agent = AgentNormalizerTest.JSON.createObjectNode().put("handle", "h").put("name", "TITLE");
            assertThat(AgentIndexFields.of(agent).sortName()).isEqualTo("title");
            assertThat(AgentIndexFields.searchNeedle("TITLE")).isEqualTo("title");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void theSeparatorIsStrippedFromEveryFieldAndTheNeedle() {
        ObjectNode agent = AgentNormalizerTest.JSON.createObjectNode()
                .put("handle", "h" + US + "1").put("name", "Na" + US + "me").put("description", US)
                .put("author", "AU" + US + "THOR");
        agent.putArray("tags").add("t" + US + "ag").add("Ünïcode");

        AgentIndexFields fields = AgentIndexFields.of(agent);
        assertThat(fields.searchText()).isEqualTo(String.join(US, "name", "h1", "author", "tag", "ünïcode"));
        assertThat(fields.tags()).as("tags are stored as given").containsExactly("t" + US + "ag", "Ünïcode");
        assertThat(AgentIndexFields.searchNeedle("ÜNÏ" + US + "CODE")).isEqualTo("ünïcode");
    }

    @ParameterizedTest(name = "q={0} matches: {1}")
    @CsvSource(delimiter = '|', value = {
            "agent ONE        | true",
            "Answers          | true",
            "ACME             | true",
            "-one             | true",
            "web              | true",
            "one answers      | false",
            "questions agent  | false",
            "nowhere          | false",
    })
    void aNeedleMatchesWithinOneFieldOnly(String q, boolean matches) {
        String searchText = AgentIndexFields.of(fullAgent()).searchText();
        assertThat(searchText.contains(AgentIndexFields.searchNeedle(q))).isEqualTo(matches);
        // the separator in a query cannot glue two fields together either
        assertThat(searchText.contains(AgentIndexFields.searchNeedle("one" + US + "answers"))).isFalse();
    }

    @Test
    void recordOnlyAgentSearchesItsHandleAndTags() {
        ObjectNode agent = normalizer.normalize(record("{capabilities:['Chat']}"), null, REGISTRY).orElseThrow();
        AgentIndexFields fields = AgentIndexFields.of(agent);
        assertThat(fields.searchText()).isEqualTo(String.join(US, "agent-one", "agent-one", "chat"));
        assertThat(fields.sortName()).isEqualTo("agent-one");
    }

    @Test
    void hashIsSha256OfTheCanonicalJson() throws Exception {
        ObjectNode agent = fullAgent();
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(AgentIndexFields.canonicalBytes(agent));
        assertThat(AgentIndexFields.of(agent).contentHash()).isEqualTo(expected);
    }

    @Test
    void canonicalJsonIsCompactWithKeysSortedAtEveryLevel() {
        JsonNode node = json("{b:1, a:{d:[{z:1, y:2}], c:'x'}}");
        assertThat(new String(AgentIndexFields.canonicalBytes(node), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":{\"c\":\"x\",\"d\":[{\"y\":2,\"z\":1}]},\"b\":1}");
    }

    @Test
    void hashIsStableAcrossEqualInputs() {
        AgentIndexFields first = AgentIndexFields.of(fullAgent());
        AgentIndexFields second = AgentIndexFields.of(new AgentNormalizer()
                .normalize(record(FULL_RECORD), json(FULL_CARD), REGISTRY).orElseThrow());
        assertThat(second.contentHash()).isEqualTo(first.contentHash());
        assertThat(second).isEqualTo(first).hasSameHashCodeAs(first);
    }

    @Test
    void hashDoesNotDependOnPropertyOrder() {
        ObjectNode agent = fullAgent();
        List<String> names = new ArrayList<>(agent.propertyNames());
        ObjectNode reordered = AgentNormalizerTest.JSON.createObjectNode();
        for (int i = names.size() - 1; i >= 0; i--) {
            reordered.set(names.get(i), agent.get(names.get(i)));
        }
        ObjectNode pricing = (ObjectNode) reordered.get("pricing").deepCopy();
        ObjectNode reversedPricing = AgentNormalizerTest.JSON.createObjectNode();
        List<String> pricingNames = new ArrayList<>(pricing.propertyNames());
        for (int i = pricingNames.size() - 1; i >= 0; i--) {
            reversedPricing.set(pricingNames.get(i), pricing.get(pricingNames.get(i)));
        }
        reordered.set("pricing", reversedPricing);

        assertThat(AgentIndexFields.of(reordered).contentHash()).isEqualTo(AgentIndexFields.of(agent).contentHash());
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> changes() {
        Stream<org.junit.jupiter.params.provider.Arguments> everyTopLevelField = AgentNormalizer.FIELD_ORDER.stream()
                .map(field -> arguments("top-level " + field, (Consumer<ObjectNode>) agent -> agent.set(field, changed(agent.get(field)))));
        Stream<org.junit.jupiter.params.provider.Arguments> nested = Stream.of(
                arguments("pricing.label", (Consumer<ObjectNode>) a -> ((ObjectNode) a.get("pricing")).put("label", "other")),
                arguments("pricing gains a key", (Consumer<ObjectNode>) a -> ((ObjectNode) a.get("pricing")).put("extra", true)),
                arguments("skills[0].name", (Consumer<ObjectNode>) a -> ((ObjectNode) a.get("skills").get(0)).put("name", "other")),
                arguments("tag order", (Consumer<ObjectNode>) a -> {
                    ArrayNode tags = (ArrayNode) a.get("tags");
                    JsonNode firstTag = tags.remove(0);
                    tags.add(firstTag);
                }),
                arguments("number type 600 -> 600.0", (Consumer<ObjectNode>) a -> a.put("ttlSecondsRecommended", 600.0)),
                arguments("field removed", (Consumer<ObjectNode>) a -> a.remove("description")),
                arguments("field added", (Consumer<ObjectNode>) a -> a.put("unexpected", "x")));
        return Stream.concat(everyTopLevelField, nested);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void anyChangeChangesTheHash(String name, Consumer<ObjectNode> change) {
        ObjectNode agent = fullAgent();
        byte[] before = AgentIndexFields.of(agent).contentHash();
        change.accept(agent);
        assertThat(AgentIndexFields.of(agent).contentHash()).isNotEqualTo(before);
    }

    @Test
    void isImmutable() {
        AgentIndexFields fields = AgentIndexFields.of(fullAgent());
        byte[] hash = fields.contentHash();
        hash[0] ^= 1;
        assertThat(fields.contentHash()).isNotEqualTo(hash);
        assertThatThrownBy(() -> fields.tags().add("x")).isInstanceOf(UnsupportedOperationException.class);

        List<String> tags = new ArrayList<>(List.of("a"));
        byte[] given = new byte[32];
        AgentIndexFields built = new AgentIndexFields("s", "t", tags, given);
        tags.add("b");
        given[0] = 1;
        assertThat(built.tags()).containsExactly("a");
        assertThat(built.contentHash()).isEqualTo(new byte[32]);
    }

    @Test
    void refusesSomethingThatIsNotANormalizedAgent() {
        assertThatThrownBy(() -> AgentIndexFields.of(AgentNormalizerTest.JSON.createObjectNode().put("name", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("handle");
    }

    /** A value of the same JSON type that differs from the given one. */
    @Test
    void sortNameIsCutToItsByteBudgetAtACodePointBoundary() {
        // a handle of 300 three-byte code points, no name: the sort name falls back to it
        String handle = "\u65e5".repeat(300);
        ObjectNode agent = AgentNormalizerTest.JSON.createObjectNode().put("handle", handle);
        String sortName = AgentIndexFields.of(agent).sortName();
        assertThat(sortName).isEqualTo("\u65e5".repeat(AgentBudgets.SORT_NAME_UTF8_BYTES / 3));

        String emoji = "\uD83D\uDE00";
        ObjectNode named = AgentNormalizerTest.JSON.createObjectNode().put("handle", "h")
                .put("name", "a".repeat(AgentBudgets.SORT_NAME_UTF8_BYTES - 2) + emoji);
        assertThat(AgentIndexFields.of(named).sortName()).isEqualTo("a".repeat(AgentBudgets.SORT_NAME_UTF8_BYTES - 2));
    }

    private static JsonNode changed(JsonNode value) {
        if (value.isString()) {
            return AgentNormalizerTest.JSON.getNodeFactory().stringNode(value.stringValue() + "x");
        }
        if (value.isNumber()) {
            return AgentNormalizerTest.JSON.getNodeFactory().numberNode(value.longValue() + 1);
        }
        if (value.isArray()) {
            return ((ArrayNode) value.deepCopy()).add("x");
        }
        return ((ObjectNode) value.deepCopy()).put("x", "x");
    }
}
