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
 * Version 2 added {@link Edit} and {@code requestedBy} on the operator commands (null in version 1
 * payloads), and made {@code authToken} ciphertext ({@code io.marketplaceindex.secrets.TokenCipher});
 * a version 1 connect may still carry a plain-text token, which the worker encrypts when it stores it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = RegistryCommand.Connect.class, name = "registry.connect"),
        @JsonSubTypes.Type(value = RegistryCommand.Edit.class, name = "registry.edit"),
        @JsonSubTypes.Type(value = RegistryCommand.SetEnabled.class, name = "registry.set-enabled"),
        @JsonSubTypes.Type(value = RegistryCommand.Remove.class, name = "registry.remove"),
        @JsonSubTypes.Type(value = RegistryCommand.Rebuild.class, name = "registry.rebuild"),
        @JsonSubTypes.Type(value = RegistryCommand.SyncChunk.class, name = "registry.sync-chunk"),
        @JsonSubTypes.Type(value = RegistryCommand.FinishSync.class, name = "registry.finish-sync")
})
public sealed interface RegistryCommand {

    int VERSION = 2;

    /** Identifies this command (for a rebuild: the rebuild id shared by all its registries). */
    UUID commandId();

    UUID registryId();

    Instant requestedAt();

    /**
     * Who asked: the account's email, with the token's name when one of its tokens asked
     * ({@code alice@example.com (token ci-bot)}; the command line asks through the API with a token),
     * {@code bootstrap-token}, or {@link #CRON} for the scheduled producer; null for worker-internal
     * commands and commands written before version 2.
     */
    default String requestedBy() {
        return null;
    }

    /** {@link #requestedBy()} of the scheduled producer. */
    String CRON = "cron";

    /**
     * Connect a new registry, then sync it. The token travels only here and in the worker's store,
     * encrypted (see the contract's version note).
     *
     * @param sendTokenToCards send the token to the registry's cards on its origin too; null (commands
     *                         written before the field existed) means no
     */
    record Connect(UUID commandId, UUID registryId, Instant requestedAt, String name, String url, String authToken,
                   Boolean sendTokenToCards, String requestedBy)
            implements RegistryCommand {

        public Connect(UUID commandId, UUID registryId, Instant requestedAt, String name, String url, String authToken) {
            this(commandId, registryId, requestedAt, name, url, authToken, null, null);
        }

        public Connect(UUID commandId, UUID registryId, Instant requestedAt, String name, String url, String authToken,
                       Boolean sendTokenToCards) {
            this(commandId, registryId, requestedAt, name, url, authToken, sendTokenToCards, null);
        }

        public boolean tokenToCards() {
            return Boolean.TRUE.equals(sendTokenToCards);
        }

        @Override
        public String toString() {
            return "Connect[commandId=" + commandId + ", registryId=" + registryId + ", name=" + name + ", url=" + url
                    + ", authToken=" + (authToken == null ? "none" : "(redacted)") + ", sendTokenToCards=" + sendTokenToCards
                    + ", requestedBy=" + requestedBy + "]";
        }
    }

    /**
     * Change a registry's settings in place, keeping its rows, then sync it with the new settings.
     * A null field keeps its value.
     *
     * @param authToken      a new token (encrypted, like Connect's); null keeps the token unless {@code clearAuthToken}
     * @param clearAuthToken remove the token
     */
    record Edit(UUID commandId, UUID registryId, Instant requestedAt, String name, String url, String authToken,
                Boolean clearAuthToken, Boolean sendTokenToCards, String requestedBy) implements RegistryCommand {

        public boolean clearsToken() {
            return Boolean.TRUE.equals(clearAuthToken);
        }

        @Override
        public String toString() {
            return "Edit[commandId=" + commandId + ", registryId=" + registryId + ", name=" + name + ", url=" + url
                    + ", authToken=" + (authToken == null ? (clearsToken() ? "cleared" : "kept") : "(replaced)")
                    + ", sendTokenToCards=" + sendTokenToCards + ", requestedBy=" + requestedBy + "]";
        }
    }

    record SetEnabled(UUID commandId, UUID registryId, Instant requestedAt, boolean enabled, String requestedBy)
            implements RegistryCommand {

        public SetEnabled(UUID commandId, UUID registryId, Instant requestedAt, boolean enabled) {
            this(commandId, registryId, requestedAt, enabled, null);
        }
    }

    record Remove(UUID commandId, UUID registryId, Instant requestedAt, String requestedBy) implements RegistryCommand {

        public Remove(UUID commandId, UUID registryId, Instant requestedAt) {
            this(commandId, registryId, requestedAt, null);
        }
    }

    /**
     * Sync one registry. Any successful sync that started after {@code requestedAt} satisfies it,
     * which makes duplicates and redeliveries harmless.
     *
     * @param force accept a listing that the shrink guard would otherwise refuse
     */
    record Rebuild(UUID commandId, UUID registryId, Instant requestedAt, RebuildReason reason, boolean force,
                   String requestedBy) implements RegistryCommand {

        public Rebuild(UUID commandId, UUID registryId, Instant requestedAt, RebuildReason reason, boolean force) {
            this(commandId, registryId, requestedAt, reason, force, null);
        }
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
