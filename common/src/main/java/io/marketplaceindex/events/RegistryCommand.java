package io.marketplaceindex.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.time.Instant;
import java.util.UUID;

/**
 * A command for the indexer worker, the only writer of the index. Every command is keyed by its
 * registry id so that one registry's commands reach one consumer, in order.
 *
 * <p>Contract {@value #VERSION}: fields may be added, never renamed or removed; consumers ignore
 * unknown fields. Payloads of every released version are kept in test resources and must parse.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = RegistryCommand.Connect.class, name = "registry.connect"),
        @JsonSubTypes.Type(value = RegistryCommand.SetEnabled.class, name = "registry.set-enabled"),
        @JsonSubTypes.Type(value = RegistryCommand.Remove.class, name = "registry.remove"),
        @JsonSubTypes.Type(value = RegistryCommand.Rebuild.class, name = "registry.rebuild")
})
public sealed interface RegistryCommand {

    int VERSION = 1;

    /** Identifies this command (for a rebuild: the rebuild id shared by all its registries). */
    UUID commandId();

    UUID registryId();

    Instant requestedAt();

    /** Connect a new registry, then sync it. The token travels only here and in the worker's store. */
    record Connect(UUID commandId, UUID registryId, Instant requestedAt, String name, String url, String authToken)
            implements RegistryCommand {
        @Override
        public String toString() {
            return "Connect[commandId=" + commandId + ", registryId=" + registryId + ", name=" + name + ", url=" + url
                    + ", authToken=" + (authToken == null ? "none" : "(redacted)") + "]";
        }
    }

    record SetEnabled(UUID commandId, UUID registryId, Instant requestedAt, boolean enabled) implements RegistryCommand {
    }

    record Remove(UUID commandId, UUID registryId, Instant requestedAt) implements RegistryCommand {
    }

    /**
     * Sync one registry. Any successful sync that started after {@code requestedAt} satisfies it,
     * which makes duplicates and redeliveries harmless.
     *
     * @param force accept a listing that the shrink guard would otherwise refuse
     */
    record Rebuild(UUID commandId, UUID registryId, Instant requestedAt, RebuildReason reason, boolean force)
            implements RegistryCommand {
    }
}
