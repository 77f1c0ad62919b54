package io.marketplaceindex.events;

import java.time.Instant;
import java.util.UUID;

/**
 * Emitted by the worker after a registry's rows are committed, only when something changed.
 * {@code generation} is the catalog generation that the commit produced; it only grows, so a
 * reader that has seen generation g can discard every cache entry built before g.
 *
 * <p>Contract version {@value #VERSION}; see {@link RegistryCommand} for the evolution rules.
 */
public record CatalogChanged(int version, long generation, UUID registryId, UUID commandId, int added, int updated,
                             int removed, Instant committedAt) {

    public static final int VERSION = 1;
}
