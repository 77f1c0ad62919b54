package io.marketplaceindex.worker.catalog;

import io.marketplaceindex.agent.AgentIndexFields;

/** One row to insert or rewrite, with the source documents it was built from. */
public record RowWrite(String handle, String agentJson, AgentIndexFields fields, String recordJson, String cardJson,
                       String recordEtag, String cardEtag, String cardLastModified, String cardError) {
}
