package io.marketplaceindex.api.live;

import io.marketplaceindex.api.catalog.CatalogSummary;

import java.time.Instant;
import java.util.List;

/**
 * A whole live catalog as built by one fan-out; what is stored in Redis (gzip-compressed JSON) and
 * shared by every replica.
 *
 * @param id             identifies this build (ETags of live answers are derived from it)
 * @param registryDigest the set of registries it was built from (see {@link LiveCatalogStore})
 * @param registries     enabled registries at build time
 * @param truncated      whether agents were left out because the catalog reached {@code maxAgents}
 * @param maxAgents      the cap in force when it was built
 */
record LiveSnapshot(String id, Instant builtAt, String registryDigest, int registries,
                    List<CatalogSummary.Source> sources, boolean truncated, int maxAgents, List<LiveAgent> agents) {

    LiveSnapshot {
        sources = List.copyOf(sources);
        agents = List.copyOf(agents);
    }
}
