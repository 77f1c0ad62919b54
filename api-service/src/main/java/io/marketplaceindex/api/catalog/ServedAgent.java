package io.marketplaceindex.api.catalog;

import io.marketplaceindex.agent.RecordProof;

/**
 * The agent JSON every read serves (catalog pages, agent detail, changes feed), as SQL over a row of
 * {@code marketplace_catalog_rows}. The worker writes each agent with its record proof verdict inside
 * ({@code agent.proof}, {@link RecordProof#writeTo}); a row written before proofs were checked has no
 * {@code proof_status} and is served with {@code proof.status = "none"} instead, whatever its stored
 * proof object says, so that every agent answers the same {@code proof} fields.
 */
public final class ServedAgent {

    private static final String NONE = """
            {"status": "none", "reason": "%s", "signingKid": null}""".formatted(RecordProof.NOT_CHECKED);

    static {
        if (RecordProof.NOT_CHECKED.contains("'") || RecordProof.NOT_CHECKED.contains("\"")
                || RecordProof.NOT_CHECKED.contains("\\")) {
            throw new IllegalStateException("the 'none' reason must be plain text: it is written into SQL");
        }
    }

    private ServedAgent() {
    }

    /**
     * @param alias the row's table alias with its dot ({@code "r."}), or {@code ""} for unqualified columns
     * @return a jsonb expression; the caller casts it to text
     */
    public static String jsonb(String alias) {
        return """
                CASE WHEN %1$sproof_status IS NULL
                     THEN jsonb_set(%1$sagent, '{proof}', coalesce(%1$sagent -> 'proof', '{}') || '%2$s')
                     ELSE %1$sagent END""".formatted(alias, NONE);
    }

    /** The row's {@code verified=true} condition; the partial indexes catalog_rows_verified_by_* hold exactly these rows. */
    static final String VERIFIED = "proof_status = 'valid'";
}
