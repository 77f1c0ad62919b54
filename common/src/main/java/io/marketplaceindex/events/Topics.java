package io.marketplaceindex.events;

import org.apache.kafka.clients.admin.NewTopic;

import java.util.List;

/**
 * Topic names. The prefix lets several environments (or test suites) share one broker.
 * Versioned names: an incompatible contract gets a new topic, never a silent change.
 */
public record Topics(String prefix) {

    public Topics {
        prefix = prefix == null ? "" : prefix;
    }

    /**
     * Registry commands and rebuild requests, keyed by registry id; the chunks of a large sync run
     * are keyed {@code runId:chunkIndex} so they spread over partitions (see RegistryCommand.SyncChunk).
     */
    public String commands() {
        return prefix + "marketplace.registry-commands.v1";
    }

    /** Catalog changes, keyed by registry id; every api-service replica reads all of them. */
    public String catalogChanges() {
        return prefix + "marketplace.catalog-changes.v1";
    }

    /**
     * The topics both services need. Either may create them (creation is idempotent), so neither
     * depends on the other having started first.
     */
    public List<NewTopic> definitions(int partitions, short replicationFactor) {
        return List.of(new NewTopic(commands(), partitions, replicationFactor),
                new NewTopic(commandsDeadLetter(), partitions, replicationFactor),
                new NewTopic(catalogChanges(), partitions, replicationFactor));
    }

    /** Where a command that cannot be processed goes, with its reason in the headers. */
    public String commandsDeadLetter() {
        return commands() + ".dlt";
    }
}
