package io.marketplaceindex.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A command for the indexer worker, the only writer of the index. Every command is keyed by its
 * registry id so that one registry's commands reach one consumer, in order, except
 * {@link SyncChunk}: chunks of one sync run are meant to spread over every partition (and so every
 * worker replica), and they only ever write staging rows, never the index.
 *
 * <p>Contract {@value #VERSION}: fields may be added, never renamed or removed; consumers ignore
 * unknown fields. Payloads of every released version are kept in test resources and must parse.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = RegistryCommand.Connect.class, name = "registry.connect"),
        @JsonSubTypes.Type(value = RegistryCommand.SetEnabled.class, name = "registry.set-enabled"),
        @JsonSubTypes.Type(value = RegistryCommand.Remove.class, name = "registry.remove"),
        @JsonSubTypes.Type(value = RegistryCommand.Rebuild.class, name = "registry.rebuild"),
        @JsonSubTypes.Type(value = RegistryCommand.SyncChunk.class, name = "registry.sync-chunk"),
        @JsonSubTypes.Type(value = RegistryCommand.FinishSync.class, name = "registry.finish-sync")
})
public sealed interface RegistryCommand {

    int VERSION = 1;

    /** Identifies this command (for a rebuild: the rebuild id shared by all its registries). */
    UUID commandId();

    UUID registryId();

    Instant requestedAt();

    /**
     * Connect a new registry, then sync it. The token travels only here and in the worker's store.
     *
     * @param sendTokenToCards send the token to the registry's cards on its origin too; null (commands
     *                         written before the field existed) means no
     */
    record Connect(UUID commandId, UUID registryId, Instant requestedAt, String name, String url, String authToken,
                   Boolean sendTokenToCards)
            implements RegistryCommand {

        public Connect(UUID commandId, UUID registryId, Instant requestedAt, String name, String url, String authToken) {
            this(commandId, registryId, requestedAt, name, url, authToken, null);
        }

        public boolean tokenToCards() {
            return Boolean.TRUE.equals(sendTokenToCards);
        }

        @Override
        public String toString() {
            return "Connect[commandId=" + commandId + ", registryId=" + registryId + ", name=" + name + ", url=" + url
                    + ", authToken=" + (authToken == null ? "none" : "(redacted)") + ", sendTokenToCards=" + sendTokenToCards
                    + "]";
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

    /**
     * Worker-internal: one chunk of a large registry's sync run. The worker that holds the
     * registry's rebuild lists the registry, records a run and publishes one chunk per slice of the
     * listing, keyed {@code runId + ":" + chunkIndex}; whichever replica consumes a chunk fetches its
     * records and cards into staging. Redeliveries are harmless: a chunk counts once per run.
     *
     * @param commandId  the rebuild the run serves
     * @param chunkIndex 0-based position of this chunk in the run
     * @param chunkCount how many chunks the run has
     * @param handles    this chunk's handles, in listing order
     */
    record SyncChunk(UUID commandId, UUID registryId, Instant requestedAt, UUID runId, int chunkIndex, int chunkCount,
                     List<String> handles) implements RegistryCommand {

        public SyncChunk {
            // null elements are refused here, so a broken payload fails decoding (dead letter), not the sync
            handles = handles == null ? null : List.copyOf(handles);
        }

        @Override
        public String toString() {
            // A chunk carries up to chunk-size handles: keep logs readable.
            return "SyncChunk[commandId=" + commandId + ", registryId=" + registryId + ", runId=" + runId
                    + ", chunk=" + chunkIndex + "/" + chunkCount + ", handles=" + (handles == null ? 0 : handles.size())
                    + "]";
        }
    }

    /**
     * Worker-internal: every chunk of a sync run is staged; apply the run. Keyed by registry id, so
     * it is handled by the registry's single writer, in order with the registry's other commands.
     *
     * @param commandId the rebuild the run serves
     */
    record FinishSync(UUID commandId, UUID registryId, Instant requestedAt, UUID runId) implements RegistryCommand {
    }
}
