package io.marketplaceindex.api.live;

import java.util.List;

/**
 * One normalized agent of the live catalog: its JSON exactly as served, and the index fields the
 * worker would have stored for it ({@link io.marketplaceindex.agent.AgentIndexFields}), so that the
 * live path filters and sorts exactly as the SQL of the index does.
 *
 * @param proofStatus the record proof's status as the index would store it; null in a snapshot stored
 *                    before proofs were verified (never verified, as in the index)
 */
record LiveAgent(String registryId, String handle, String registryUrl, String sortName, String searchText,
                 List<String> tags, String json, String proofStatus) {

    LiveAgent {
        tags = List.copyOf(tags);
    }
}
