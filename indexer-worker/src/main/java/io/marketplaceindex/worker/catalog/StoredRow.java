package io.marketplaceindex.worker.catalog;

import java.time.Instant;
import java.util.List;

/**
 * What the index holds for one handle, enough to decide whether a fetch changes anything.
 *
 * @param cardUrl the stored record's agentCardUrl (its card_url column): lets a sync whose record
 *                answered 304 fetch the card without reading the stored record first (it is read only
 *                if the card changed)
 * @param cardFreshUntil until when the stored card is fresh by its HTTP headers (capped when stored); null when
 *                       it is not fresh
 * @param proofChecked   whether the row has a record proof status: a row written before proofs were verified
 *                       has none, and its record is fetched again in full (not conditionally) to get one
 */
public record StoredRow(String handle, byte[] contentHash, List<String> tags, String recordEtag, String cardEtag,
                        String cardLastModified, boolean hasRecord, boolean hasCard, String cardUrl,
                        Instant cardFreshUntil, boolean proofChecked) {
}
