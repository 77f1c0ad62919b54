package io.marketplaceindex.agent;

import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.List;

/**
 * Verifies a registry record's Ed25519 proof as the compatible product does (docs/record-proof.md):
 *
 * <ul>
 *   <li>{@code proof.type} is {@value #PROOF_TYPE};</li>
 *   <li>the signed message is the UTF-8 of {@link #signedMessage the canonical JSON} of the record's
 *       {@code agentCardUrl, handle, schema, updatedAt};</li>
 *   <li>{@code proof.sigHex} is the 64-byte Ed25519 signature, hex;</li>
 *   <li>the public key is {@code publicKeyHex} (32 raw bytes, hex) of the first entry of
 *       {@code publicKeys.ed25519[]} whose {@code kid} equals {@code proof.signingKid}.</li>
 * </ul>
 *
 * <p>Records are hostile input: every size is bounded before any work ({@link AgentBudgets#PROOF_KEYS},
 * {@link AgentBudgets#PROOF_SIGNED_JSON_BYTES}, exact hex lengths), and nothing a record holds makes this
 * throw: what cannot be checked is {@code invalid} with a fixed, public reason. One verification costs
 * about a millisecond of CPU on Java 17; the worker verifies only records it fetched anew.
 *
 * <p>Stateless and thread-safe.
 */
public final class RecordProofs {

    public static final String PROOF_TYPE = "pilox-registry-record-ed25519-v1";

    /** The signed fields, in the canonical (sorted) order. */
    static final List<String> SIGNED_FIELDS = List.of("agentCardUrl", "handle", "schema", "updatedAt");

    /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the raw key follows it. */
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final int SIGNATURE_BYTES = 64;
    private static final int PUBLIC_KEY_BYTES = 32;

    private RecordProofs() {
    }

    /** @param record the registry record as fetched; anything but an object is {@code unsigned} */
    public static RecordProof verify(JsonNode record) {
        JsonNode proof = record == null || !record.isObject() ? null : record.get("proof");
        if (proof == null || proof.isNull()) {
            return RecordProof.UNSIGNED;
        }
        if (!proof.isObject()) {
            return RecordProof.invalid("proof is not a JSON object", null);
        }
        String kid = kid(proof.get("signingKid"));
        if (kid == null) {
            return RecordProof.invalid("proof.signingKid is missing, not a string or longer than "
                    + AgentBudgets.PROOF_KID_CODE_POINTS + " characters", null);
        }
        JsonNode type = proof.get("type");
        if (type == null || !type.isString() || !PROOF_TYPE.equals(type.stringValue())) {
            return RecordProof.invalid("proof.type is not " + PROOF_TYPE, kid);
        }
        byte[] signature = hex(proof.get("sigHex"), SIGNATURE_BYTES);
        if (signature == null) {
            return RecordProof.invalid("proof.sigHex is not " + 2 * SIGNATURE_BYTES + " hex digits", kid);
        }
        String missing = SIGNED_FIELDS.stream().filter(f -> !isString(record.get(f))).findFirst().orElse(null);
        if (missing != null) {
            return RecordProof.invalid("signed field " + missing + " is missing or not a string", kid);
        }
        byte[] message = signedMessage(record.get("agentCardUrl").stringValue(), record.get("handle").stringValue(),
                record.get("schema").stringValue(), record.get("updatedAt").stringValue());
        if (message.length > AgentBudgets.PROOF_SIGNED_JSON_BYTES) {
            return RecordProof.invalid("signed fields are over " + AgentBudgets.PROOF_SIGNED_JSON_BYTES + " bytes", kid);
        }
        JsonNode keyEntry = keyEntry(record.get("publicKeys"), kid);
        if (keyEntry == null) {
            return RecordProof.invalid("no publicKeys.ed25519 entry has the proof's signingKid", kid);
        }
        byte[] rawKey = hex(keyEntry.get("publicKeyHex"), PUBLIC_KEY_BYTES);
        if (rawKey == null) {
            return RecordProof.invalid("publicKeyHex of the signing key is not " + 2 * PUBLIC_KEY_BYTES
                    + " hex digits", kid);
        }
        return check(rawKey, message, signature, kid);
    }

    /**
     * The bytes a record proof signs: the UTF-8 of the compact JSON object of the four signed fields with
     * its keys in sorted order, {@code {"agentCardUrl":…,"handle":…,"schema":…,"updatedAt":…}}, each
     * string written as ECMAScript's {@code JSON.stringify} writes it ({@link #appendJsonString}).
     */
    public static byte[] signedMessage(String agentCardUrl, String handle, String schema, String updatedAt) {
        StringBuilder json = new StringBuilder(64 + agentCardUrl.length() + handle.length());
        String[] values = {agentCardUrl, handle, schema, updatedAt};
        json.append('{');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                json.append(',');
            }
            appendJsonString(json, SIGNED_FIELDS.get(i));
            json.append(':');
            appendJsonString(json, values[i]);
        }
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A JSON string as ECMAScript's {@code JSON.stringify} writes it (QuoteJSONString): {@code "} and
     * {@code \} escaped with a backslash; U+0008, U+0009, U+000A, U+000C, U+000D as {@code \b \t \n \f \r};
     * the other characters below U+0020 and unpaired surrogates as {@code \}{@code u} and four lower-case
     * hex digits; everything else, {@code /} and non-ASCII included, as itself.
     */
    static void appendJsonString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> {
                    boolean pairedHigh = Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1));
                    boolean pairedLow = Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
                    if (c < 0x20 || (Character.isSurrogate(c) && !pairedHigh && !pairedLow)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static RecordProof check(byte[] rawKey, byte[] message, byte[] signature, String kid) {
        Signature verifier;
        try {
            byte[] encoded = new byte[X509_PREFIX.length + PUBLIC_KEY_BYTES];
            System.arraycopy(X509_PREFIX, 0, encoded, 0, X509_PREFIX.length);
            System.arraycopy(rawKey, 0, encoded, X509_PREFIX.length, PUBLIC_KEY_BYTES);
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
            verifier = Signature.getInstance("Ed25519");
            // the JDK decodes the point here, not when the key is built
            verifier.initVerify(key);
        } catch (GeneralSecurityException | RuntimeException e) {
            // 32 bytes that are no point of the curve: the record's fault, not ours
            return RecordProof.invalid("publicKeyHex of the signing key is not an Ed25519 public key", kid);
        }
        try {
            verifier.update(message);
            return verifier.verify(signature) ? RecordProof.valid(kid)
                    : RecordProof.invalid("signature does not verify", kid);
        } catch (GeneralSecurityException | RuntimeException e) {
            // e.g. a signature whose scalar is out of range: it cannot verify
            return RecordProof.invalid("signature does not verify", kid);
        }
    }

    /** The first of at most {@link AgentBudgets#PROOF_KEYS} key entries whose kid is {@code kid}. */
    private static JsonNode keyEntry(JsonNode publicKeys, String kid) {
        JsonNode keys = publicKeys == null || !publicKeys.isObject() ? null : publicKeys.get("ed25519");
        if (keys == null || !keys.isArray()) {
            return null;
        }
        for (int i = 0; i < keys.size() && i < AgentBudgets.PROOF_KEYS; i++) {
            JsonNode entry = keys.get(i);
            JsonNode entryKid = entry.isObject() ? entry.get("kid") : null;
            if (entryKid != null && entryKid.isString() && kid.equals(entryKid.stringValue())) {
                return entry;
            }
        }
        return null;
    }

    /** The kid when it is a storable string within its budget; the index stores and serves it. */
    private static String kid(JsonNode node) {
        if (!isString(node)) {
            return null;
        }
        String kid = node.stringValue();
        return Text.isStorable(kid) && kid.codePointCount(0, kid.length()) <= AgentBudgets.PROOF_KID_CODE_POINTS
                ? kid : null;
    }

    /** Exactly {@code bytes} bytes written as hex digits (either case); null for anything else. */
    private static byte[] hex(JsonNode node, int bytes) {
        if (!isString(node)) {
            return null;
        }
        String text = node.stringValue();
        if (text.length() != 2 * bytes) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.digit(text.charAt(i), 16) < 0 || text.charAt(i) > 'f') {
                return null;
            }
        }
        return HexFormat.of().parseHex(text);
    }

    private static boolean isString(JsonNode node) {
        return node != null && node.isString();
    }
}
