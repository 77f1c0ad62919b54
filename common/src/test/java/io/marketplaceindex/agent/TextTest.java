package io.marketplaceindex.agent;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class TextTest {

    static Stream<Arguments> samples() {
        return Stream.of(
                arguments("empty", "", true),
                arguments("ASCII", "plain text", true),
                arguments("Latin-1 and CJK", "ünïcode 日本", true),
                arguments("just below the surrogates", "\ud7ff", true),
                arguments("above the surrogates", "\ue000\ufffd\uffff", true),
                arguments("a pair (emoji)", "a\ud83d\ude00b", true),
                arguments("a pair at the end", "a\ud83d\ude00", true),
                arguments("U+0000", "a\u0000b", false),
                arguments("U+0000 alone", "\u0000", false),
                arguments("lone high surrogate", "a\ud800b", false),
                arguments("lone high surrogate at the end", "a\ud800", false),
                arguments("lone low surrogate", "a\udc00b", false),
                arguments("pair the wrong way round", "\ude00\ud83d", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void nulAndLoneSurrogatesAreNotStorable(String name, String text, boolean storable) {
        assertThat(Text.hasNoNulOrLoneSurrogate(text)).isEqualTo(storable);
    }

    @org.junit.jupiter.api.Test
    void truncationKeepsSurrogatePairsWhole() {
        String emoji = "\uD83D\uDE00";
        assertThat(Text.truncateCodePoints("ab" + emoji + "c", 3)).isEqualTo("ab" + emoji);
        assertThat(Text.truncateCodePoints("ab" + emoji + "c", 2)).isEqualTo("ab");
        assertThat(Text.truncateCodePoints("abc", 5)).isEqualTo("abc");
        assertThat(Text.truncateUtf8("a" + emoji, 4)).isEqualTo("a");
        assertThat(Text.truncateUtf8("a" + emoji, 5)).isEqualTo("a" + emoji);
        assertThat(Text.truncateUtf8("\u00e9\u00e9", 3)).isEqualTo("\u00e9");
    }

    @org.junit.jupiter.api.Test
    void jsonBytesIsAnUpperBoundOfTheWrittenJson() {
        tools.jackson.databind.json.JsonMapper mapper = tools.jackson.databind.json.JsonMapper.builder().build();
        for (String s : new String[] {"", "plain", "q\"b\\", "\u0001\n\t", "\u00e9\u65e5\uD83D\uDE00", "\u007f\u0085\u2028"}) {
            assertThat(Text.jsonBytes(s, Long.MAX_VALUE)).as(s).isGreaterThanOrEqualTo(mapper.writeValueAsBytes(s).length);
        }
        assertThat(Text.jsonBytes("plain", Long.MAX_VALUE)).isEqualTo(7);
    }
}
