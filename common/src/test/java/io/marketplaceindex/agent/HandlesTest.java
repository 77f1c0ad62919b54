package io.marketplaceindex.agent;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class HandlesTest {

    static Stream<org.junit.jupiter.params.provider.Arguments> handles() {
        return Stream.of(
                arguments("one char (shorter than the schema's 8, still accepted)", "a", true),
                arguments("typical", "acme/agent-one", true),
                arguments("spaces inside", "my agent", true),
                arguments("surrounding spaces kept as given", " agent ", true),
                arguments("unicode", "agent-ünï-日本", true),
                arguments("512 chars", "h".repeat(512), true),
                arguments("512 emoji: 1024 chars but 512 code points", "\uD83D\uDE00".repeat(512), true),
                arguments("C1 and other non-ASCII controls are not refused", "agent\u0085", true),
                arguments("513 chars", "h".repeat(513), false),
                arguments("513 emoji", "\uD83D\uDE00".repeat(513), false),
                arguments("empty", "", false),
                arguments("spaces only", "   ", false),
                arguments("no-break space only", "\u00a0", false),
                arguments("newline", "agent\none", false),
                arguments("carriage return", "agent\rone", false),
                arguments("tab", "agent\tone", false),
                arguments("NUL", "agent\u0000one", false),
                arguments("unit separator", "agent\u001fone", false),
                arguments("DEL", "agent\u007fone", false),
                arguments("lone high surrogate", "agent\uD83D", false),
                arguments("lone low surrogate", "\uDE00agent", false));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("handles")
    void validity(String name, String handle, boolean valid) {
        assertThat(Handles.isValid(handle)).isEqualTo(valid);
    }

    @ParameterizedTest
    @NullSource
    void nullIsInvalid(String handle) {
        assertThat(Handles.isValid(handle)).isFalse();
    }
}
