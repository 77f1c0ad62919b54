package io.marketplaceindex.agent;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/**
 * Randomized JSON of any shape and size for the property tests: every JSON type, strings with NUL,
 * control characters, lone surrogates, hostile URLs and thousands of characters, nesting beyond the
 * copy depth, and objects whose keys are mostly the ones the normalizer reads, so that it gets past
 * the first check and meets the hostile values where they matter.
 */
public final class JsonArbitraries {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Keys of records and cards the normalizer reads, nested ones included. */
    static final List<String> KEYS = List.of(
            "handle", "agentCardUrl", "capabilities", "version", "revision", "semver", "documentationUrl", "docsUrl",
            "documentation", "documentUrl", "sourceUrl", "repositoryUrl", "repoUrl", "codeUrl", "publishedAt",
            "createdAt", "releaseDate", "updatedAt", "modifiedAt", "lastUpdated", "pricing", "piloxPricing",
            "pricingHint", "catalogPricing", "metadata", "inputModalities", "input_modalities", "outputModalities",
            "output_modalities", "schema", "validUntil", "ttlSecondsRecommended", "controllerDid", "didDocumentUrl",
            "meshDescriptorUrl", "buyerInputs", "publicKeys", "proof", "name", "description", "iconUrl", "provider",
            "organization", "protocolVersion", "url", "services", "type", "extensions", "uri", "params", "skills",
            "id", "tags", "termsUrl", "href");

    private JsonArbitraries() {
    }

    /** Strings a registry could send, hostile ones often. */
    public static Arbitrary<String> strings() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.strings().alpha().numeric().withChars(" -_./:").ofMaxLength(24)),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(40)),
                Tuple.of(2, urls()),
                Tuple.of(1, Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMaxLength(10)),
                Tuple.of(1, Arbitraries.strings().alpha().ofMinLength(60).ofMaxLength(3_000)),
                Tuple.of(1, Arbitraries.strings().all().ofMinLength(60).ofMaxLength(1_000)),
                Tuple.of(1, Arbitraries.strings().withCharRange('\u4e00', '\u9fff').ofMinLength(60).ofMaxLength(1_000)),
                Tuple.of(1, Arbitraries.of("", " ", "\u00a0", "\ufeff", "\u0000", "\ud800", "\udc00x", "\ud83d\ude00")));
    }

    /** URLs good and bad: http(s), hostile schemes, smuggled whitespace, relative, over-long. */
    public static Arbitrary<String> urls() {
        Arbitrary<String> path = Arbitraries.strings().alpha().numeric().withChars("/-_.%?=&#").ofMaxLength(40);
        return Arbitraries.frequencyOf(
                Tuple.of(4, path.map(p -> "https://a.example/" + p)),
                Tuple.of(1, path.map(p -> "HTTP://A.example/" + p)),
                Tuple.of(2, Arbitraries.of("javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
                        "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", " https://a.example/x",
                        "\u0001https://a.example/x", "file:///etc/passwd", "/relative", "//a.example/x", "https://",
                        "https:///x", "ftp://a.example/x", "https://a.example/a b", "https://a.example/\n")),
                Tuple.of(1, Arbitraries.strings().alpha().ofMinLength(8_000).ofMaxLength(9_000).map(p -> "https://a.example/" + p)));
    }

    /** Any JSON value, nested up to {@code maxDepth}. */
    public static Arbitrary<JsonNode> values(int maxDepth) {
        return Arbitraries.recursive(JsonArbitraries::leaves, JsonArbitraries::containers, 0, maxDepth);
    }

    static Arbitrary<JsonNode> leaves() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, strings().map(s -> (JsonNode) NODES.stringNode(s))),
                Tuple.of(1, Arbitraries.integers().map(i -> (JsonNode) NODES.numberNode(i))),
                Tuple.of(1, Arbitraries.doubles().map(d -> (JsonNode) NODES.numberNode(d))),
                Tuple.of(1, Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, 1e308, -0.0)
                        .map(d -> (JsonNode) NODES.numberNode(d))),
                Tuple.of(1, Arbitraries.bigIntegers().between(BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(40))
                        .map(b -> (JsonNode) NODES.numberNode(b))),
                Tuple.of(1, Arbitraries.of(new BigDecimal("1e400"), new BigDecimal("-1.5e-300"))
                        .map(b -> (JsonNode) NODES.numberNode(b))),
                Tuple.of(1, Arbitraries.of(true, false).map(b -> (JsonNode) NODES.booleanNode(b))),
                Tuple.of(1, Arbitraries.just((JsonNode) NODES.nullNode())));
    }

    static Arbitrary<JsonNode> containers(Arbitrary<JsonNode> element) {
        return Arbitraries.frequencyOf(
                Tuple.of(2, element),
                Tuple.of(1, element.list().ofMaxSize(6).map(JsonArbitraries::array)),
                Tuple.of(2, objects(element, 6)),
                Tuple.of(1, deep()));
    }

    /** A chain of nested objects and arrays deeper than any copy keeps. */
    static Arbitrary<JsonNode> deep() {
        return Arbitraries.integers().between(10, 40).map(depth -> {
            JsonNode node = NODES.stringNode("bottom");
            for (int i = 0; i < depth; i++) {
                node = i % 2 == 0 ? NODES.objectNode().set("n", node) : NODES.arrayNode().add(node);
            }
            return node;
        });
    }

    static Arbitrary<JsonNode> objects(Arbitrary<JsonNode> element, int maxSize) {
        Arbitrary<String> key = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of(KEYS)), Tuple.of(1, strings()));
        return Combinators.combine(key.list().ofMaxSize(maxSize), element.list().ofMaxSize(maxSize))
                .as((keys, values) -> {
                    ObjectNode out = NODES.objectNode();
                    for (int i = 0; i < Math.min(keys.size(), values.size()); i++) {
                        out.set(keys.get(i), values.get(i));
                    }
                    return (JsonNode) out;
                });
    }

    static ArrayNode array(List<JsonNode> items) {
        ArrayNode out = NODES.arrayNode();
        items.forEach(out::add);
        return out;
    }

    /** Lists of strings, long ones too: capabilities, tags, modalities. */
    static Arbitrary<JsonNode> stringLists() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, strings().list().ofMaxSize(20)),
                Tuple.of(1, Arbitraries.strings().alpha().numeric().ofMaxLength(80).list().ofMinSize(60).ofMaxSize(100)))
                .map(list -> array(list.stream().map(s -> (JsonNode) NODES.stringNode(s)).toList()));
    }

    /** A card's skills: mostly well-formed objects, many of them, with tags. */
    static Arbitrary<JsonNode> skills() {
        Arbitrary<JsonNode> skill = Combinators.combine(values(1), strings(), strings(), strings().list().ofMaxSize(20)
                        .map(list -> array(list.stream().map(s -> (JsonNode) NODES.stringNode(s)).toList())))
                .as((id, name, description, tags) -> {
                    ObjectNode out = NODES.objectNode();
                    out.set("id", id);
                    out.put("name", name);
                    out.put("description", description);
                    out.set("tags", tags);
                    return (JsonNode) out;
                });
        return Arbitraries.frequencyOf(Tuple.of(4, skill), Tuple.of(1, values(2)))
                .list().ofMaxSize(80).map(JsonArbitraries::array);
    }

    /**
     * A record: usually with a valid handle and an http(s) card URL, plus any of the fields the
     * normalizer reads with values of any shape; sometimes any JSON at all.
     */
    public static Arbitrary<JsonNode> records() {
        Arbitrary<String> handle = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.strings().alpha().numeric().withChars("-_.").ofMinLength(1).ofMaxLength(40)),
                Tuple.of(1, strings()));
        Arbitrary<String> cardUrl = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just("https://agents.example.org/card.json")), Tuple.of(1, urls()));
        Arbitrary<JsonNode> record = Combinators.combine(handle, cardUrl, objects(values(2), 24), stringLists(),
                        objects(values(2), 40))
                .as((h, url, fields, capabilities, pricing) -> {
                    ObjectNode out = ((ObjectNode) fields).deepCopy();
                    out.put("handle", h);
                    out.put("agentCardUrl", url);
                    out.set("capabilities", capabilities);
                    out.set("pricing", pricing);
                    return (JsonNode) out;
                });
        return Arbitraries.frequencyOf(Tuple.of(9, record), Tuple.of(1, values(3)));
    }

    /** A card: its identity fields, skills and links with values of any shape; sometimes any JSON or none. */
    public static Arbitrary<JsonNode> cards() {
        Arbitrary<JsonNode> card = Combinators.combine(objects(values(2), 24), strings(), strings(), skills(), urls(),
                        objects(values(2), 6))
                .as((fields, name, description, skills, url, provider) -> {
                    ObjectNode out = ((ObjectNode) fields).deepCopy();
                    out.put("name", name);
                    out.put("description", description);
                    out.set("skills", skills);
                    out.put("url", url);
                    out.set("provider", provider);
                    return (JsonNode) out;
                });
        // null: no card could be fetched
        return Arbitraries.frequencyOf(Tuple.of(8, card), Tuple.of(1, values(2))).injectNull(0.1);
    }
}
