package io.marketplaceindex.simulator;

import java.util.Arrays;
import java.util.Locale;

/** How a simulated registry's record proof is made wrong, or left out ({@link SimulatedRegistry#setProofDefect}). */
public enum ProofDefect {
    /** A correct proof. */
    NONE,
    /** No proof at all. */
    UNSIGNED,
    /** Signed over an earlier updatedAt: the record changed after it was signed. */
    TAMPERED,
    /** signingKid names a key the record does not publish. */
    UNKNOWN_KID,
    /** proof.type is not the compatible product's. */
    WRONG_TYPE,
    /** sigHex is not hex. */
    MALFORMED_HEX;

    /** {@code tampered}, {@code unknownKid}, ...: the control API's names. */
    public String wire() {
        String[] words = name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder out = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            out.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return out.toString();
    }

    public static ProofDefect fromWire(String wire) {
        for (ProofDefect d : values()) {
            if (d.wire().equals(wire)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown proof defect '" + wire + "'; one of "
                + Arrays.stream(values()).map(ProofDefect::wire).toList());
    }

    /** The verdict an indexer should reach for a record with this defect. */
    public String expectedStatus() {
        return switch (this) {
            case NONE -> "valid";
            case UNSIGNED -> "unsigned";
            default -> "invalid";
        };
    }
}
