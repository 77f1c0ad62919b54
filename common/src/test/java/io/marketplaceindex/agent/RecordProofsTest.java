package io.marketplaceindex.agent;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Test vectors signed with an Ed25519 key generated here by the JDK: a valid record, then one change
 * each that a verifier must notice. The signed message is written out by hand in
 * {@link #signedMessageIsTheSortedCompactJsonOfFourFields}, so that the canonical form is pinned by
 * this test and not only by the code under test.
 */
class RecordProofsTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static KeyPair key;
    static KeyPair otherKey;

    @BeforeAll
    static void keys() throws GeneralSecurityException {
        key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        otherKey = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    /** The raw 32-byte public key: the last 32 bytes of its X.509 SubjectPublicKeyInfo. */
    static String rawPublicKeyHex(KeyPair pair) {
        byte[] encoded = pair.getPublic().getEncoded();
        return HexFormat.of().formatHex(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length));
    }

    static String sign(KeyPair pair, String message) throws GeneralSecurityException {
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(pair.getPrivate());
        signer.update(message.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(signer.sign());
    }

    /** A record signed the way a registry of the compatible product signs it, with a second key beside. */
    static ObjectNode signedRecord() throws GeneralSecurityException {
        ObjectNode record = JSON.createObjectNode()
                .put("schema", "pilox-registry-record-v1")
                .put("handle", "acme/weather-bot")
                .put("updatedAt", "2026-11-30T10:00:00Z")
                .put("agentCardUrl", "https://cards.example.org/acme/weather.json")
                .put("version", "1.2.0");
        ArrayNode keys = record.putObject("publicKeys").putArray("ed25519");
        keys.addObject().put("kid", "old").put("publicKeyHex", rawPublicKeyHex(otherKey));
        keys.addObject().put("kid", "k1").put("publicKeyHex", rawPublicKeyHex(key));
        String message = "{\"agentCardUrl\":\"https://cards.example.org/acme/weather.json\","
                + "\"handle\":\"acme/weather-bot\",\"schema\":\"pilox-registry-record-v1\","
                + "\"updatedAt\":\"2026-11-30T10:00:00Z\"}";
        record.putObject("proof")
                .put("type", RecordProofs.PROOF_TYPE)
                .put("signer", "did:web:acme.example.org")
                .put("signingKid", "k1")
                .put("sigHex", sign(key, message));
        return record;
    }

    @Test
    void aSignedRecordIsValid() throws GeneralSecurityException {
        assertThat(RecordProofs.verify(signedRecord())).isEqualTo(new RecordProof(RecordProof.Status.VALID, null, "k1"));
    }

    @Test
    void upperCaseHexIsHexToo() throws GeneralSecurityException {
        ObjectNode record = signedRecord();
        ObjectNode proof = (ObjectNode) record.get("proof");
        proof.put("sigHex", proof.get("sigHex").stringValue().toUpperCase());
        assertThat(RecordProofs.verify(record).status()).isEqualTo(RecordProof.Status.VALID);
    }

    @Test
    void fieldsOutsideTheSignedFourMayChange() throws GeneralSecurityException {
        ObjectNode record = signedRecord().put("version", "9.9.9").put("description", "changed");
        assertThat(RecordProofs.verify(record).status()).isEqualTo(RecordProof.Status.VALID);
    }

    static Stream<Arguments> invalidRecords() {
        return Stream.of(
                arguments("tampered handle", (Consumer<ObjectNode>) r -> r.put("handle", "acme/weather-bot2"),
                        "signature does not verify", "k1"),
                arguments("tampered updatedAt", (Consumer<ObjectNode>) r -> r.put("updatedAt", "2026-11-30T10:00:01Z"),
                        "signature does not verify", "k1"),
                arguments("tampered agentCardUrl", (Consumer<ObjectNode>) r -> r.put("agentCardUrl", "https://evil.example/x.json"),
                        "signature does not verify", "k1"),
                arguments("tampered schema", (Consumer<ObjectNode>) r -> r.put("schema", "hive-registry-record-v1"),
                        "signature does not verify", "k1"),
                arguments("signature of another key under the kid", (Consumer<ObjectNode>) r -> proof(r).put("signingKid", "old"),
                        "signature does not verify", "old"),
                arguments("unknown kid", (Consumer<ObjectNode>) r -> proof(r).put("signingKid", "k2"),
                        "no publicKeys.ed25519 entry has the proof's signingKid", "k2"),
                arguments("no publicKeys", (Consumer<ObjectNode>) r -> r.remove("publicKeys"),
                        "no publicKeys.ed25519 entry has the proof's signingKid", "k1"),
                arguments("wrong type", (Consumer<ObjectNode>) r -> proof(r).put("type", "ed25519"),
                        "proof.type is not pilox-registry-record-ed25519-v1", "k1"),
                arguments("missing type", (Consumer<ObjectNode>) r -> proof(r).remove("type"),
                        "proof.type is not pilox-registry-record-ed25519-v1", "k1"),
                arguments("malformed sigHex", (Consumer<ObjectNode>) r -> proof(r).put("sigHex", "zz" + sigHex(r).substring(2)),
                        "proof.sigHex is not 128 hex digits", "k1"),
                arguments("short sigHex", (Consumer<ObjectNode>) r -> proof(r).put("sigHex", sigHex(r).substring(2)),
                        "proof.sigHex is not 128 hex digits", "k1"),
                arguments("non-ASCII digits in sigHex", (Consumer<ObjectNode>) r -> proof(r).put("sigHex", "\u0661\u0662" + sigHex(r).substring(2)),
                        "proof.sigHex is not 128 hex digits", "k1"),
                arguments("sigHex a number", (Consumer<ObjectNode>) r -> proof(r).put("sigHex", 12),
                        "proof.sigHex is not 128 hex digits", "k1"),
                arguments("flipped signature bit", (Consumer<ObjectNode>) r -> proof(r).put("sigHex", flipFirstBit(sigHex(r))),
                        "signature does not verify", "k1"),
                arguments("malformed public key hex", (Consumer<ObjectNode>) r -> signingKey(r).put("publicKeyHex", "xyz"),
                        "publicKeyHex of the signing key is not 64 hex digits", "k1"),
                arguments("public key not on the curve", (Consumer<ObjectNode>) r -> signingKey(r).put("publicKeyHex", "ff".repeat(32)),
                        "publicKeyHex of the signing key is not an Ed25519 public key", "k1"),
                arguments("missing signingKid", (Consumer<ObjectNode>) r -> proof(r).remove("signingKid"),
                        "proof.signingKid is missing, not a string or longer than 256 characters", null),
                arguments("signingKid too long", (Consumer<ObjectNode>) r -> proof(r).put("signingKid", "k".repeat(257)),
                        "proof.signingKid is missing, not a string or longer than 256 characters", null),
                arguments("signed field of the wrong type", (Consumer<ObjectNode>) r -> r.put("updatedAt", 1_700_000_000),
                        "signed field updatedAt is missing or not a string", "k1"),
                arguments("proof not an object", (Consumer<ObjectNode>) r -> r.put("proof", sigHex(r)),
                        "proof is not a JSON object", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRecords")
    void aBrokenProofIsInvalidWithItsReason(String name, Consumer<ObjectNode> change, String reason, String kid)
            throws GeneralSecurityException {
        ObjectNode record = signedRecord();
        change.accept(record);
        assertThat(RecordProofs.verify(record)).isEqualTo(new RecordProof(RecordProof.Status.INVALID, reason, kid));
    }

    @Test
    void aRecordWithoutProofIsUnsigned() throws GeneralSecurityException {
        ObjectNode record = signedRecord();
        record.remove("proof");
        assertThat(RecordProofs.verify(record)).isEqualTo(RecordProof.UNSIGNED);
        record.putNull("proof");
        assertThat(RecordProofs.verify(record)).isEqualTo(RecordProof.UNSIGNED);
        assertThat(RecordProofs.verify(JSON.getNodeFactory().stringNode("x"))).isEqualTo(RecordProof.UNSIGNED);
        assertThat(RecordProofs.verify(null)).isEqualTo(RecordProof.UNSIGNED);
    }

    @Test
    void signedMessageIsTheSortedCompactJsonOfFourFields() {
        String message = new String(RecordProofs.signedMessage("https://c.example/a b", "h\"\\/é😀",
                "s\b\t\n\f\r\u0001\u001f", "t\ud800x\udc00"), StandardCharsets.UTF_8);
        // JSON.stringify's escapes: \" \\ \b \t \n \f \r, \\u00xx lower-case for other controls and lone surrogates
        assertThat(message).isEqualTo("{\"agentCardUrl\":\"https://c.example/a b\",\"handle\":\"h\\\"\\\\/é😀\","
                + "\"schema\":\"s\\b\\t\\n\\f\\r\\u0001\\u001f\",\"updatedAt\":\"t\\ud800x\\udc00\"}");
    }

    @Test
    void aRecordSignedOverEscapedTextVerifies() throws GeneralSecurityException {
        ObjectNode record = signedRecord().put("handle", "acme/\"quoted\"\tbot/é");
        String message = new String(RecordProofs.signedMessage(record.get("agentCardUrl").stringValue(),
                record.get("handle").stringValue(), record.get("schema").stringValue(),
                record.get("updatedAt").stringValue()), StandardCharsets.UTF_8);
        proof(record).put("sigHex", sign(key, message));
        assertThat(RecordProofs.verify(record).status()).isEqualTo(RecordProof.Status.VALID);
    }

    @Test
    void hugeOrHostileInputIsBoundedNotThrown() throws GeneralSecurityException {
        ObjectNode record = signedRecord();
        ArrayNode keys = (ArrayNode) record.get("publicKeys").get("ed25519");
        keys.removeAll();
        for (int i = 0; i < AgentBudgets.PROOF_KEYS; i++) {
            keys.add(i % 2 == 0 ? JSON.getNodeFactory().stringNode("junk") : JSON.createObjectNode().put("kid", "x" + i));
        }
        keys.addObject().put("kid", "k1").put("publicKeyHex", rawPublicKeyHex(key));
        // the matching key sits past the entries searched
        assertThat(RecordProofs.verify(record).reason()).isEqualTo("no publicKeys.ed25519 entry has the proof's signingKid");
        record.put("agentCardUrl", "https://c.example/" + "a".repeat(AgentBudgets.PROOF_SIGNED_JSON_BYTES));
        assertThat(RecordProofs.verify(record).reason()).isEqualTo("signed fields are over 16384 bytes");
    }

    @Test
    void writesTheOutcomeBesideTheRegistrysProofFields() throws GeneralSecurityException {
        ObjectNode record = signedRecord();
        proof(record).put("status", "valid").put("reason", "trust me");
        proof(record).put("sigHex", flipFirstBit(sigHex(record)));
        ObjectNode agent = new AgentNormalizer().normalize(record, null, AgentNormalizerTest.REGISTRY).orElseThrow();
        // the normalizer never keeps a registry's own verdict
        assertThat(agent.get("proof").has("status")).isFalse();
        assertThat(AgentIndexFields.of(agent).proofStatus()).isNull();

        RecordProofs.verify(record).writeTo(agent);
        assertThat(agent.get("proof").get("status").stringValue()).isEqualTo("invalid");
        assertThat(agent.get("proof").get("reason").stringValue()).isEqualTo("signature does not verify");
        assertThat(agent.get("proof").get("signingKid").stringValue()).isEqualTo("k1");
        assertThat(agent.get("proof").get("type").stringValue()).isEqualTo(RecordProofs.PROOF_TYPE);
        assertThat(AgentIndexFields.of(agent).proofStatus()).isEqualTo("invalid");

        ObjectNode unsigned = new AgentNormalizer().normalize(record.without("proof"), null, AgentNormalizerTest.REGISTRY)
                .orElseThrow();
        RecordProof.UNSIGNED.writeTo(unsigned);
        assertThat(unsigned.get("proof").toString()).isEqualTo("{\"status\":\"unsigned\",\"reason\":null,\"signingKid\":null}");
        assertThat(AgentIndexFields.of(unsigned).proofStatus()).isEqualTo("unsigned");
    }

    @Test
    void verifyingCostsAboutAMillisecondAtMost() throws GeneralSecurityException {
        ObjectNode record = signedRecord();
        for (int i = 0; i < 200; i++) {
            RecordProofs.verify(record);
        }
        long started = System.nanoTime();
        int n = 200;
        for (int i = 0; i < n; i++) {
            assertThat(RecordProofs.verify(record).isValid()).isTrue();
        }
        long micros = (System.nanoTime() - started) / n / 1000;
        System.out.println("record proof verification: " + micros + " µs each");
        // generous: a shared 2-core machine measures about 1 ms; this only catches a pathological slowdown
        assertThat(micros).isLessThan(20_000);
    }

    private static ObjectNode proof(ObjectNode record) {
        return (ObjectNode) record.get("proof");
    }

    private static ObjectNode signingKey(ObjectNode record) {
        return (ObjectNode) record.get("publicKeys").get("ed25519").get(1);
    }

    private static String sigHex(ObjectNode record) {
        return record.get("proof").get("sigHex").stringValue();
    }

    private static String flipFirstBit(String hex) {
        int first = Character.digit(hex.charAt(0), 16) ^ 1;
        return Character.forDigit(first, 16) + hex.substring(1);
    }
}
