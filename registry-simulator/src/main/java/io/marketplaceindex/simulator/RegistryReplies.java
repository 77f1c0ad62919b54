package io.marketplaceindex.simulator;

import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** The JSON a registry answers with when it refuses a request, shared by its routes and its faults. */
record RegistryReplies(String registry, JsonMapper json) {

    Reply error(int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("status", status);
        body.put("registry", registry);
        return Reply.json(status, json.writeValueAsBytes(body));
    }

    String bearerChallenge() {
        return "Bearer realm=\"" + registry + "\"";
    }

    byte[] json(Object value) {
        return json.writeValueAsBytes(value);
    }
}
