package io.marketplaceindex.simulator;

import tools.jackson.databind.json.JsonMapper;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Signs a registry's records as a registry of the compatible product does: an Ed25519 key of the
 * registry's own (derived from its seed and name, so a restart serves the same signatures and ETags),
 * published in every record as {@code publicKeys.ed25519[{kid, publicKeyHex}]}, and a
 * {@code proof {type, signer, signingKid, sigHex}} over the key-sorted compact JSON of the record's
 * {@code schema, handle, updatedAt, agentCardUrl}. A {@link ProofDefect} makes one record's proof wrong
 * in a chosen way, for tests and demos of every verdict.
 *
 * <p>The signed JSON is written by Jackson here, deliberately not by the indexer's code: the two
 * meet only through the published format.
 */
final class RecordSigner {

    static final String PROOF_TYPE = "pilox-registry-record-ed25519-v1";

    private final PrivateKey privateKey;
    private final String publicKeyHex;
    private final String kid;
    private final String signer;
    private final JsonMapper json;

    RecordSigner(long seed, String registryName, JsonMapper json) {
        this.json = json;
        this.kid = registryName + "-key-1";
        this.signer = "did:web:registry.example.org:" + registryName;
        KeyPair pair = keyPair(seed, registryName);
        this.privateKey = pair.getPrivate();
        byte[] encoded = pair.getPublic().getEncoded();
        // an X.509 SubjectPublicKeyInfo of Ed25519 ends with the 32 raw key bytes (RFC 8410)
        this.publicKeyHex = HexFormat.of().formatHex(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length));
    }

    String kid() {
        return kid;
    }

    String publicKeyHex() {
        return publicKeyHex;
    }

    /** Adds the registry's key and, unless {@link Defect#UNSIGNED}, a proof to a record built in signed-field order. */
    void sign(Map<String, Object> record, ProofDefect defect) {
        record.put("publicKeys", Map.of("ed25519", List.of(Map.of("kid", kid, "publicKeyHex", publicKeyHex))));
        if (defect == ProofDefect.UNSIGNED) {
            return;
        }
        String updatedAt = (String) record.get("updatedAt");
        if (defect == ProofDefect.TAMPERED) {
            updatedAt = updatedAt.replaceFirst("^\\d{4}", "1999");
        }
        Map<String, Object> signed = new TreeMap<>();
        signed.put("schema", record.get("schema"));
        signed.put("handle", record.get("handle"));
        signed.put("updatedAt", updatedAt);
        signed.put("agentCardUrl", record.get("agentCardUrl"));
        String sigHex = HexFormat.of().formatHex(signature(json.writeValueAsBytes(signed)));
        Map<String, Object> proof = new LinkedHashMap<>();
        proof.put("type", defect == ProofDefect.WRONG_TYPE ? "ed25519-signature-2020" : PROOF_TYPE);
        proof.put("signer", signer);
        proof.put("signingKid", defect == ProofDefect.UNKNOWN_KID ? kid + "-retired" : kid);
        proof.put("sigHex", defect == ProofDefect.MALFORMED_HEX ? "zz" + sigHex.substring(2) : sigHex);
        record.put("proof", proof);
    }

    private byte[] signature(byte[] message) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(privateKey);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    private static KeyPair keyPair(long seed, String registryName) {
        try {
            // SHA1PRNG seeded before its first use is deterministic: the same registry gets the same key
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(ByteBuffer.allocate(Long.BYTES).putLong(seed).array());
            random.setSeed(registryName.getBytes(StandardCharsets.UTF_8));
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is not available", e);
        }
    }
}
