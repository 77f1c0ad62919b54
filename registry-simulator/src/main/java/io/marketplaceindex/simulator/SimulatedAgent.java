package io.marketplaceindex.simulator;

import java.time.Instant;
import java.util.List;

/**
 * What an indexer should end up with for one agent after merging its record and card, so tests can
 * compare the index against the source of truth without parsing the simulator's JSON.
 *
 * @param tags      record capabilities followed by the card's skill tags, deduplicated, in that order
 * @param version   the record's version; about one record in ten publishes it under the alias
 *                  {@code revision} (and {@code docsUrl} for {@code documentationUrl}) to exercise
 *                  the lenient reader
 * @param updatedAt the record's {@code updatedAt}, also the card's {@code Last-Modified}
 */
public record SimulatedAgent(
        String handle,
        String name,
        String description,
        List<String> tags,
        String author,
        String cardUrl,
        String version,
        Instant updatedAt) {

    public SimulatedAgent {
        tags = List.copyOf(tags);
    }
}
