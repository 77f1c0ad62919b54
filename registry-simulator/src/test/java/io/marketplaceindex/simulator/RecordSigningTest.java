package io.marketplaceindex.simulator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** Signed records as a verifier sees them over HTTP, checked here with the JDK directly. */
class RecordSigningTest {

    static RegistrySimulator sim;
    final Http http = new Http();

    @BeforeAll
    static void start() {
        sim = RegistrySimulator.start(SimulatorOptions.defaults().withThreads(4));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    private JsonNode record(SimulatedRegistry registry, String handle) {
        return http.json(http.get(registry.recordUrl(handle)));
    }

    @Test
    void recordsAreUnsignedUntilAskedThenSignedVerifiablyAndTheSameEachTime() throws GeneralSecurityException {
        SimulatedRegistry registry = sim.addRegistry("signing", 12, 5L);
        String handle = registry.hostileHandles().get(4); // non-ASCII and a slash: written as themselves
        assertThat(record(registry, handle).has("proof")).isFalse();
        assertThat(registry.expectedProofStatus(handle)).isEqualTo("unsigned");

        registry.signRecords(true);
        JsonNode record = record(registry, handle);
        assertThat(verifies(record)).isTrue();
        assertThat(record.get("proof").get("type").asString()).isEqualTo("pilox-registry-record-ed25519-v1");
        assertThat(registry.expectedProofStatus(handle)).isEqualTo("valid");

        // the same signature on every request (Ed25519 is deterministic): a stable record and ETag
        assertThat(record(registry, handle)).isEqualTo(record);
        // a registry of the same seed and name (after a restart, on another port) has the same key
        try (RegistrySimulator other = RegistrySimulator.start(SimulatorOptions.defaults().withThreads(2))) {
            SimulatedRegistry twin = other.addRegistry("signing", 12, 5L);
            twin.signRecords(true);
            JsonNode twinRecord = record(twin, handle);
            assertThat(twinRecord.get("publicKeys")).isEqualTo(record.get("publicKeys"));
            assertThat(verifies(twinRecord)).isTrue();
        }
    }

    @Test
    void eachDefectBreaksTheProofItNames() throws GeneralSecurityException {
        SimulatedRegistry registry = sim.addRegistry("defects", 12, 6L);
        registry.signRecords(true);
        String handle = registry.handles().get(0);

        registry.setProofDefect(handle, ProofDefect.TAMPERED);
        JsonNode tampered = record(registry, handle);
        assertThat(tampered.get("proof").get("sigHex").asString()).matches("[0-9a-f]{128}");
        assertThat(verifies(tampered)).isFalse();
        assertThat(registry.expectedProofStatus(handle)).isEqualTo("invalid");

        registry.setProofDefect(handle, ProofDefect.UNKNOWN_KID);
        JsonNode unknownKid = record(registry, handle);
        assertThat(unknownKid.get("proof").get("signingKid").asString())
                .isNotEqualTo(unknownKid.get("publicKeys").get("ed25519").get(0).get("kid").asString());

        registry.setProofDefect(handle, ProofDefect.WRONG_TYPE);
        assertThat(record(registry, handle).get("proof").get("type").asString()).isNotEqualTo("pilox-registry-record-ed25519-v1");

        registry.setProofDefect(handle, ProofDefect.MALFORMED_HEX);
        assertThat(record(registry, handle).get("proof").get("sigHex").asString()).doesNotMatch("[0-9a-fA-F]+");

        registry.setProofDefect(handle, ProofDefect.UNSIGNED);
        assertThat(record(registry, handle).has("proof")).isFalse();
        assertThat(registry.expectedProofStatus(handle)).isEqualTo("unsigned");

        registry.setProofDefect(handle, ProofDefect.NONE);
        assertThat(verifies(record(registry, handle))).isTrue();
    }

    @Test
    void theControlApiSignsAndBreaksProofs() {
        sim.addRegistry("ctl-proofs", 30, 7L);
        SimulatedRegistry registry = sim.registry("ctl-proofs");
        String base = sim.baseUrl() + "/control/registries/ctl-proofs";
        assertThat(http.post(base + "/proofs?sign=true&tamperedEvery=3&unsignedEvery=4", "").statusCode()).isEqualTo(200);
        assertThat(registry.signsRecords()).isTrue();
        assertThat(registry.handles().stream().map(registry::expectedProofStatus).distinct())
                .containsExactlyInAnyOrder("valid", "invalid", "unsigned");
        String handle = registry.handles().get(1);
        assertThat(http.post(base + "/proof-defect?handle=" + Http.enc(handle) + "&defect=wrongType", "").statusCode())
                .isEqualTo(200);
        assertThat(registry.proofDefect(handle)).isEqualTo(ProofDefect.WRONG_TYPE);
        assertThat(http.post(base + "/proof-defect?handle=" + Http.enc(handle) + "&defect=bogus", "").statusCode())
                .isEqualTo(400);
        assertThat(http.post(base + "/proofs?sign=false", "").statusCode()).isEqualTo(200);
        assertThat(registry.signsRecords()).isFalse();
    }

    /** The compatible check, written out: sorted compact JSON of the four fields, the published key. */
    private static boolean verifies(JsonNode record) throws GeneralSecurityException {
        String message = "{\"agentCardUrl\":" + quoted(record, "agentCardUrl") + ",\"handle\":" + quoted(record, "handle")
                + ",\"schema\":" + quoted(record, "schema") + ",\"updatedAt\":" + quoted(record, "updatedAt") + "}";
        byte[] raw = HexFormat.of().parseHex(record.get("publicKeys").get("ed25519").get(0).get("publicKeyHex").asString());
        byte[] spki = new byte[44];
        System.arraycopy(HexFormat.of().parseHex("302a300506032b6570032100"), 0, spki, 0, 12);
        System.arraycopy(raw, 0, spki, 12, 32);
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki)));
        verifier.update(message.getBytes(StandardCharsets.UTF_8));
        return verifier.verify(HexFormat.of().parseHex(record.get("proof").get("sigHex").asString()));
    }

    /** The simulator's handles and URLs hold no character JSON must escape. */
    private static String quoted(JsonNode record, String field) {
        String value = record.get(field).asString();
        assertThat(value).doesNotContain("\"", "\\").matches("[^\\x00-\\x1f]*");
        return "\"" + value + "\"";
    }
}
