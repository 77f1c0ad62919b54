package io.marketplaceindex.agent;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.Locale;
import java.util.Objects;

/**
 * What the index knows of a registry record's proof ({@link RecordProofs#verify}): served as the agent's
 * {@code proof.status}, {@code proof.reason} and {@code proof.signingKid}, and kept as the row's
 * {@code proof_status} for the {@code verified=true} filter.
 *
 * @param status     the outcome
 * @param reason     why the proof is {@code invalid}, or why nothing was checked ({@code none}); null otherwise
 * @param signingKid the proof's {@code signingKid} when it is a usable string; null otherwise
 */
public record RecordProof(Status status, String reason, String signingKid) {

    /** Outcomes, with the names the API serves and the database stores. */
    public enum Status {
        /** The signature verifies with the record's own key of that kid. */
        VALID,
        /** A proof is present but does not verify or cannot be checked (reason says which). */
        INVALID,
        /** The record carries no proof. */
        UNSIGNED,
        /** No record proof was checked: a row indexed before proofs were verified, until its next sync. */
        NONE;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final RecordProof UNSIGNED = new RecordProof(Status.UNSIGNED, null, null);

    /** The reason served with {@code none}; the api-service writes the same text for rows without a status. */
    public static final String NOT_CHECKED = "not checked yet: indexed before record proofs were verified";

    public static final RecordProof NONE = new RecordProof(Status.NONE, NOT_CHECKED, null);

    public RecordProof {
        Objects.requireNonNull(status, "status");
    }

    static RecordProof valid(String signingKid) {
        return new RecordProof(Status.VALID, null, signingKid);
    }

    static RecordProof invalid(String reason, String signingKid) {
        return new RecordProof(Status.INVALID, Objects.requireNonNull(reason, "reason"), signingKid);
    }

    public boolean isValid() {
        return status == Status.VALID;
    }

    /**
     * Writes this outcome into a normalized agent's {@code proof}: {@code status}, {@code reason} and
     * {@code signingKid} always (null when they have no value), beside the fields of the registry's own
     * proof object that the normalizer kept (type, signer, sigHex, as the compatible API served them).
     * The registry's values of those three names are replaced: a record cannot claim its own status.
     */
    public void writeTo(ObjectNode agent) {
        JsonNode kept = agent.get("proof");
        ObjectNode proof = kept != null && kept.isObject() ? (ObjectNode) kept : agent.putObject("proof");
        proof.put("status", status.wire());
        proof.put("reason", reason);
        proof.put("signingKid", signingKid);
    }
}
