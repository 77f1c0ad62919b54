package io.marketplaceindex.worker.catalog;

import io.marketplaceindex.agent.AgentIndexFields;

import java.time.Instant;

/**
 * One row to insert or rewrite, with the source documents it was built from.
 *
 * @param cardUrl        the record's agentCardUrl (null when unknown: a sync whose record answers 304 then reads
 *                       the stored record to find the card)
 * @param cardError       why the card could not be used, as the public may read it (stored, served as cardError)
 * @param cardFreshUntil  until when the card may be used without asking its host again; null: not fresh
 * @param cardErrorDetail the same failure as operators read it (hosts, addresses, timeouts): the registry's
 *                        recent errors only, never the public row
 */
public record RowWrite(String handle, String agentJson, AgentIndexFields fields, String recordJson, String cardUrl,
                       String cardJson, String recordEtag, String cardEtag, String cardLastModified, String cardError,
                       Instant cardFreshUntil, String cardErrorDetail) {

    /** A write whose card error, if any, has nothing to hide: operators read the public text. */
    public RowWrite(String handle, String agentJson, AgentIndexFields fields, String recordJson, String cardUrl,
                    String cardJson, String recordEtag, String cardEtag, String cardLastModified, String cardError,
                    Instant cardFreshUntil) {
        this(handle, agentJson, fields, recordJson, cardUrl, cardJson, recordEtag, cardEtag, cardLastModified,
                cardError, cardFreshUntil, cardError);
    }
}
