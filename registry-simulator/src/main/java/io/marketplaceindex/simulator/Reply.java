package io.marketplaceindex.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP answer, built first and written later, so faults can replace or slow down any answer
 * without each endpoint knowing about them.
 *
 * @param holdBefore extra wait before anything is sent (latency, hang)
 * @param perByte    when positive, the body is trickled one byte at a time with this pause
 */
record Reply(int status, Map<String, String> headers, byte[] body, Duration holdBefore, Duration perByte) {

    static final String JSON = "application/json";

    Reply {
        headers = Map.copyOf(headers);
    }

    static Reply json(int status, byte[] body) {
        return new Reply(status, Map.of("Content-Type", JSON), body, Duration.ZERO, Duration.ZERO);
    }

    static Reply text(int status, String body) {
        return new Reply(status, Map.of("Content-Type", "text/plain; charset=utf-8"),
                body.getBytes(StandardCharsets.UTF_8), Duration.ZERO, Duration.ZERO);
    }

    static Reply empty(int status, Map<String, String> headers) {
        return new Reply(status, headers, new byte[0], Duration.ZERO, Duration.ZERO);
    }

    Reply withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new Reply(status, copy, body, holdBefore, perByte);
    }

    Reply heldFor(Duration extra) {
        return new Reply(status, headers, body, holdBefore.plus(extra), perByte);
    }

    Reply trickled(Duration pause) {
        return new Reply(status, headers, body, holdBefore, pause);
    }
}
