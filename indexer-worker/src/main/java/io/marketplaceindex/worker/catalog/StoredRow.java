package io.marketplaceindex.worker.catalog;

import java.util.List;

/** What the index holds for one handle, enough to decide whether a fetch changes anything. */
public record StoredRow(String handle, byte[] contentHash, List<String> tags, String recordEtag, String cardEtag,
                        String cardLastModified, boolean hasRecord, boolean hasCard) {
}
