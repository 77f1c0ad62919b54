package io.marketplaceindex.worker.catalog;

import java.util.List;

/**
 * What the index holds for one handle, enough to decide whether a fetch changes anything.
 *
 * @param cardUrl the stored record's agentCardUrl: lets a sync whose record answered 304 fetch the
 *                card without reading the stored record first (it is read only if the card changed)
 */
public record StoredRow(String handle, byte[] contentHash, List<String> tags, String recordEtag, String cardEtag,
                        String cardLastModified, boolean hasRecord, boolean hasCard, String cardUrl) {
}
