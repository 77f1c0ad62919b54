package io.marketplaceindex.e2e;

import io.marketplaceindex.simulator.ProofDefect;
import io.marketplaceindex.simulator.SimulatedRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Record proofs from a registry to the API: a registry signs its records with Ed25519, a few wrongly;
 * the workers verify them as they index them, and the API serves each agent's verdict and filters on it.
 */
@ExtendWith(SystemStack.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecordProofE2EIT {

    private Api api;
    private SimulatedRegistry signed;
    private String registryId;

    @BeforeAll
    void connectASigningRegistry(SystemStack stack) {
        api = new Api(stack.apiUrl());
        signed = stack.simulator().addRegistry("signed", 40, 41L);
        signed.signRecords(true);
        List<String> handles = signed.handles();
        signed.setProofDefect(handles.get(3), ProofDefect.TAMPERED);
        signed.setProofDefect(handles.get(9), ProofDefect.UNKNOWN_KID);
        signed.setProofDefect(handles.get(15), ProofDefect.UNSIGNED);
        signed.setProofDefect(handles.get(21), ProofDefect.UNSIGNED);
        Api.Answer answer = api.asAdmin("POST", "/api/settings/registries",
                "{\"name\":\"signed\",\"url\":\"" + signed.baseUrl() + "\"}");
        assertThat(answer.status()).isEqualTo(202);
        registryId = answer.body().get("id").asString();
    }

    @AfterAll
    void disconnect() {
        // the stack is shared: leave the catalog as the other classes expect it
        api.asAdmin("DELETE", "/api/settings/registries?id=" + registryId, null);
    }

    @Test
    void theApiServesEachVerdictAndVerifiedTrueExactlyTheValidOnes() {
        api.awaitCatalog("the signed registry indexed", Duration.ofSeconds(90),
                page -> api.get("/api/marketplace?limit=1&registryUrl=" + signed.baseUrl()).body()
                        .get("total").asLong() == signed.size());

        Map<String, String> served = new HashMap<>();
        for (JsonNode agent : api.allAgents("registryUrl=" + signed.baseUrl())) {
            served.put(agent.get("handle").asString(), agent.get("proof").get("status").asString());
        }
        Map<String, String> expected = new HashMap<>();
        signed.handles().forEach(h -> expected.put(h, signed.expectedProofStatus(h)));
        assertThat(served).isEqualTo(expected);
        assertThat(expected.values()).contains("valid", "invalid", "unsigned");

        List<String> verified = api.allAgents("verified=true&registryUrl=" + signed.baseUrl()).stream()
                .map(a -> a.get("handle").asString()).sorted().toList();
        assertThat(verified).isEqualTo(expected.entrySet().stream().filter(e -> e.getValue().equals("valid"))
                .map(Map.Entry::getKey).sorted().toList());
        assertThat(verified).hasSize(signed.size() - 4);

        JsonNode tampered = api.get("/api/marketplace/agent?registryId=" + registryId + "&handle="
                + java.net.URLEncoder.encode(signed.handles().get(3), java.nio.charset.StandardCharsets.UTF_8)).body();
        assertThat(tampered.get("data").get("proof").get("reason").asString()).isEqualTo("signature does not verify");
        assertThat(api.get("/api/marketplace?verified=maybe").status()).isEqualTo(400);
    }
}
