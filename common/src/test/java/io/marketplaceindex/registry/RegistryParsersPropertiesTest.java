package io.marketplaceindex.registry;

import io.marketplaceindex.agent.Handles;
import io.marketplaceindex.agent.JsonArbitraries;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The record, card and listing parsers over randomized bodies: JSON of any shape, and the same
 * bodies cut short, with garbage after them or a byte flipped. A body is either a JSON object
 * (a listing: with only valid handles) or a {@link RegistryFetchException} of kind
 * {@code MALFORMED}; nothing else is ever thrown.
 *
 * <p>The number of tries is the tier's ({@code jqwik.tries.default}): a few dozen in the unit tier
 * ({@code junit-platform.properties}), the full number in {@link RegistryParsersPropertiesIT}.
 */
class RegistryParsersPropertiesTest {

    private static final URI URL = URI.create("https://registry.example.org/agents/x");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final RegistryParsers parsers = new RegistryParsers();

    @Provide
    Arbitrary<byte[]> bodies() {
        Arbitrary<JsonNode> document = Arbitraries.frequencyOf(
                Tuple.of(2, JsonArbitraries.records()),
                Tuple.of(1, JsonArbitraries.strings().list().ofMaxSize(30).map(handles -> {
                    ObjectNode listing = JsonNodeFactory.instance.objectNode();
                    handles.forEach(listing.putArray("handles")::add);
                    return listing;
                })),
                Tuple.of(1, JsonArbitraries.values(2)));
        Arbitrary<byte[]> serialized = document.map(RegistryParsersPropertiesTest::serialize);
        return Arbitraries.frequencyOf(
                Tuple.of(4, serialized),
                Tuple.of(1, serialized.flatMap(b -> Arbitraries.integers().between(0, b.length)
                        .map(n -> Arrays.copyOf(b, n)))),
                Tuple.of(1, serialized.map(b -> concat(b, " garbage".getBytes(StandardCharsets.UTF_8)))),
                Tuple.of(1, serialized.flatMap(b -> Arbitraries.integers().between(0, Math.max(0, b.length - 1))
                        .map(i -> flip(b, i)))),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(200)));
    }

    @Property(shrinking = ShrinkingMode.OFF, seed = "20261206")
    void aBodyIsAnObjectOrMalformedNeverAnythingElse(@ForAll("bodies") byte[] body) {
        try {
            JsonNode node = parsers.parseObject(body, URL);
            assertThat(node.isObject()).isTrue();
        } catch (RegistryFetchException e) {
            assertThat(e.kind()).isEqualTo(RegistryFetchException.Kind.MALFORMED);
        }
        try {
            Listing listing = parsers.parseListing(body, URL);
            assertThat(listing.handles()).allMatch(Handles::isValid);
        } catch (RegistryFetchException e) {
            assertThat(e.kind()).isEqualTo(RegistryFetchException.Kind.MALFORMED);
        }
    }

    /** A lone surrogate cannot be written as UTF-8: such a document becomes a body of its own. */
    private static byte[] serialize(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (RuntimeException e) {
            return "{\"unwritable\": true}".getBytes(StandardCharsets.UTF_8);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] flip(byte[] b, int index) {
        byte[] out = b.clone();
        if (out.length > 0) {
            out[index] = (byte) ~out[index];
        }
        return out;
    }
}
