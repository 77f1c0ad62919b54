package io.marketplaceindex.worker.catalog;

import io.marketplaceindex.agent.AgentIndexFields;

import java.time.Instant;

/**
 * One row to insert or rewrite, with the source documents it was built from.
 *
 * @param cardUrl        the record's agentCardUrl (null when unknown: a sync whose record answers 304 then reads
 *                       the stored record to find the card)
 * @param cardFreshUntil until when the card may be used without asking its host again; null: not fresh
 */
public record RowWrite(String handle, String agentJson, AgentIndexFields fields, String recordJson, String cardUrl,
                       String cardJson, String recordEtag, String cardEtag, String cardLastModified, String cardError,
                       Instant cardFreshUntil) {
}
