package io.marketplaceindex.worker.sync;

import io.marketplaceindex.worker.WorkerTestSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * A document is stored as the registry sent it exactly when jsonb reads that to what it reads from the
 * document parsed and written again; everything else, including all that jsonb refuses, is written again.
 */
class SourceJsonIT extends WorkerTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    static Stream<Arguments> asSent() {
        return Stream.of(
                arguments("plain object", utf8("{\"handle\":\"a\",\"n\":3600,\"ok\":true,\"x\":null}")),
                arguments("whitespace and nesting", utf8("{ \"a\" : [ 1, -2, {\"b\": [\"c\"]} ],\n\t\"d\" : {} }\r\n")),
                arguments("UTF-8 text", utf8("{\"name\":\"Übersetzer 日本 😀\"}")),
                arguments("escapes below U+0080", utf8("{\"s\":\"q\\\" b\\\\ s\\/ n\\n t\\t \\u0041 \\u001f\"}")),
                arguments("fractions written as the serializer writes them", utf8("{\"p\":[12.34,5.0,0.5,-0.25,0.001]}")),
                arguments("large and negative integers", utf8("{\"n\":[-0,123456789012345678901234567890,-7]}")),
                arguments("an exponent-looking string", utf8("{\"s\":\"1e5 1.50\",\"t\":true,\"f\":false}")));
    }

    static Stream<Arguments> writtenAgain() {
        return Stream.of(
                arguments("U+0000 escape", utf8("{\"version\":\"1\\u00002\"}")),
                arguments("U+0000 escape in a key", utf8("{\"k\\u0000\":1}")),
                arguments("an escaped backslash before u0000", utf8("{\"s\":\"\\\\u0000\"}")),
                arguments("an escaped backslash, escaped, before u0000", utf8("{\"s\":\"\\u005cu0000\"}")),
                arguments("byte-order mark", concat(BOM, utf8("{\"name\":\"bom\"}"))),
                arguments("lone high surrogate escape", utf8("{\"name\":\"\\ud800\"}")),
                arguments("lone low surrogate escape", utf8("{\"name\":\"x\\udc00\"}")),
                arguments("surrogate pair escape", utf8("{\"name\":\"\\ud83d\\ude00\"}")),
                arguments("escape above U+007F", utf8("{\"name\":\"caf\\u00e9\"}")),
                // the parser reads this overlong form as U+0000; a strict UTF-8 decoder refuses it
                arguments("overlong UTF-8", concat(utf8("{\"name\":\"a"), new byte[] {(byte) 0xC0, (byte) 0x80}, utf8("\"}"))),
                arguments("UTF-16", "{\"name\":\"sixteen\"}".getBytes(StandardCharsets.UTF_16BE)),
                arguments("exponent", utf8("{\"n\":1e2}")),
                arguments("exponent beyond numeric", utf8("{\"n\":1E400000}")),
                arguments("trailing zero", utf8("{\"n\":1.50}")),
                arguments("small fraction", utf8("{\"n\":0.0001}")),
                arguments("long fraction", utf8("{\"n\":12345678.5}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("asSent")
    void storedAsSentWhenJsonbReadsItTheSame(String name, byte[] sent) {
        JsonNode parsed = JSON.readTree(sent);

        String stored = SourceJson.storable(sent, parsed, JSON);

        assertThat(stored).isEqualTo(new String(sent, StandardCharsets.UTF_8));
        assertThat(jsonb(stored)).isEqualTo(jsonb(SourceJson.serialized(parsed, JSON)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writtenAgain")
    void writtenAgainOtherwise(String name, byte[] sent) {
        JsonNode parsed = JSON.readTree(sent);

        String stored = SourceJson.storable(sent, parsed, JSON);

        assertThat(SourceJson.asSent(sent)).isNull();
        assertThat(stored).isEqualTo(SourceJson.serialized(parsed, JSON));
        assertThat(jsonb(stored)).isNotNull();
    }

    /** What PostgreSQL makes of a text as jsonb; fails the test when it refuses it. */
    private String jsonb(String text) {
        return jdbc.sql("SELECT ?::jsonb::text").param(text).query(String.class).single();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}
