package io.marketplaceindex.simulator;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * Whether a registry signs its records, and which handles are served with a wrong or missing proof.
 * Records are published without keys or proofs until signing is turned on.
 */
final class RecordProofs {

    private final long seed;
    private final String registry;
    private final JsonMapper json;
    /** Signs records when set; null (the default) publishes them without keys or proofs. */
    private volatile RecordSigner signer;
    private final Map<String, ProofDefect> proofDefects = new ConcurrentHashMap<>();
    /** Every n-th handle (by hash) gets this defect; 0: none. */
    private volatile int tamperedEvery;
    private volatile int unsignedEvery;

    RecordProofs(long seed, String registry, JsonMapper json) {
        this.seed = seed;
        this.registry = registry;
        this.json = json;
    }

    void signRecords(boolean enabled) {
        this.signer = enabled ? new RecordSigner(seed, registry, json) : null;
    }

    boolean signsRecords() {
        return signer != null;
    }

    void setDefect(String handle, ProofDefect defect) {
        if (defect == ProofDefect.NONE) {
            proofDefects.remove(handle);
        } else {
            proofDefects.put(Objects.requireNonNull(handle, "handle"), defect);
        }
    }

    void setDefectShares(int tamperedEvery, int unsignedEvery) {
        if (tamperedEvery < 0 || unsignedEvery < 0) {
            throw new IllegalArgumentException("tamperedEvery and unsignedEvery must be 0 or more");
        }
        this.tamperedEvery = tamperedEvery;
        this.unsignedEvery = unsignedEvery;
    }

    ProofDefect defect(String handle) {
        if (signer == null) {
            return ProofDefect.UNSIGNED;
        }
        ProofDefect chosen = proofDefects.get(handle);
        if (chosen != null) {
            return chosen;
        }
        long h = Math.floorMod(AgentGenerator.hash(handle), Long.MAX_VALUE);
        if (tamperedEvery > 0 && h % tamperedEvery == 0) {
            return ProofDefect.TAMPERED;
        }
        if (unsignedEvery > 0 && (h / 7) % unsignedEvery == 0) {
            return ProofDefect.UNSIGNED;
        }
        return ProofDefect.NONE;
    }

    /** Adds the key and proof to the record (as its defect says) while records are signed. */
    void sign(String handle, Map<String, Object> record) {
        RecordSigner recordSigner = signer;
        if (recordSigner != null) {
            recordSigner.sign(record, defect(handle));
        }
    }
}
