package io.marketplaceindex.worker.command;

import io.marketplaceindex.events.EventCodec;
import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.logging.SyncLogContext;
import io.marketplaceindex.registry.InvalidRegistryUrlException;
import io.marketplaceindex.registry.RegistryUrls;
import io.marketplaceindex.worker.registry.RegistryEdit;
import io.marketplaceindex.worker.registry.RegistryRemoval;
import io.marketplaceindex.worker.registry.RegistryStore;
import io.marketplaceindex.worker.sync.chunked.ChunkedSync;
import io.marketplaceindex.worker.sync.RegistrySyncer;
import io.marketplaceindex.worker.sync.SyncRequest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;

import java.time.Clock;

/**
 * What each command does. {@link CommandConsumer} runs one command at a time per key (registry id),
 * so one registry has one writer, and commits a command's offset only after this returns, i.e. after
 * the registry's rows are committed (at-least-once; every effect below is idempotent). Sync chunks are
 * the exception to "one registry, one key": they are keyed by run and chunk, write staging only, and
 * the run is applied by a finish command keyed by registry id again.
 */
@Component
class RegistryCommandHandler {

    private static final Logger log = LoggerFactory.getLogger(RegistryCommandHandler.class);

    private final EventCodec codec;
    private final RegistryStore registries;
    private final RegistryRemoval removal;
    private final RegistrySyncer syncer;
    private final ChunkedSync chunked;
    private final RegistryEdit edits;
    private final Clock clock;

    RegistryCommandHandler(EventCodec codec, RegistryStore registries, RegistryRemoval removal,
                           RegistrySyncer syncer, ChunkedSync chunked, RegistryEdit edits, Clock clock) {
        this.codec = codec;
        this.registries = registries;
        this.removal = removal;
        this.syncer = syncer;
        this.chunked = chunked;
        this.edits = edits;
        this.clock = clock;
    }

    void handle(ConsumerRecord<String, byte[]> message) {
        RegistryCommand command = codec.decodeCommand(message.value());
        log.debug("command {} from {}-{}@{}", command, message.topic(), message.partition(), message.offset());
        if (command instanceof RegistryCommand.Connect connect) {
            connect(connect);
        } else if (command instanceof RegistryCommand.Edit edit) {
            edit(edit);
        } else if (command instanceof RegistryCommand.SetEnabled setEnabled) {
            setEnabled(setEnabled);
        } else if (command instanceof RegistryCommand.Remove remove) {
            removal.removeRegistry(remove.registryId(), remove.commandId());
            accepted(remove, "remove");
        } else if (command instanceof RegistryCommand.Rebuild rebuild) {
            accepted(rebuild, "rebuild");
            syncer.sync(new SyncRequest(rebuild.registryId(), rebuild.commandId(), rebuild.reason(),
                    rebuild.requestedAt(), rebuild.force()));
        } else if (command instanceof RegistryCommand.SyncChunk chunk) {
            chunked.processChunk(chunk);
        } else if (command instanceof RegistryCommand.FinishSync finish) {
            chunked.finish(finish);
        }
    }

    /**
     * The logging context of the command: its registry, and for a command that syncs, the rebuild the
     * sync serves. An undecodable payload has none (its failure is logged with its offset).
     */
    SyncLogContext logContext(ConsumerRecord<String, byte[]> message) {
        RegistryCommand command;
        try {
            command = codec.decodeCommand(message.value());
        } catch (RuntimeException undecodable) {
            return SyncLogContext.open(null, null);
        }
        boolean syncs = !(command instanceof RegistryCommand.Remove)
                && !(command instanceof RegistryCommand.SetEnabled enable && !enable.enabled());
        return SyncLogContext.open(command.registryId(), syncs ? command.commandId() : null);
    }

    /**
     * Every attempt at the command failed and it goes to the dead-letter topic: the sync it asked for,
     * if any, ends as failed in its rebuild's progress. A payload that cannot be decoded asked for none.
     */
    void abandon(ConsumerRecord<String, byte[]> message, RuntimeException failure) {
        RegistryCommand command;
        try {
            command = codec.decodeCommand(message.value());
        } catch (RuntimeException undecodable) {
            return;
        }
        boolean askedForSync = command instanceof RegistryCommand.Rebuild
                || command instanceof RegistryCommand.Connect
                || command instanceof RegistryCommand.Edit
                || (command instanceof RegistryCommand.SetEnabled enable && enable.enabled());
        if (askedForSync) {
            syncer.abandoned(command.commandId(), command.registryId(), String.valueOf(failure.getMessage()));
        }
    }

    /** A line in the registry's command history: who asked for what. */
    private void accepted(RegistryCommand command, String name) {
        registries.recordCommandResult(command.commandId(), command.registryId(), name, "accepted", null,
                command.requestedBy());
    }

    private void rejected(RegistryCommand command, String name, String why) {
        registries.recordCommandResult(command.commandId(), command.registryId(), name, "rejected", why,
                command.requestedBy());
    }

    private void edit(RegistryCommand.Edit edit) {
        RegistryEdit.Outcome outcome = edits.apply(edit);
        if (!outcome.applied()) {
            rejected(edit, "edit", outcome.rejection());
            return;
        }
        accepted(edit, "edit");
        if (outcome.enabled()) {
            // Requested now, not when the operator asked: a sync that began before the edit was applied
            // fetched with the old settings and must not answer this one.
            syncer.sync(new SyncRequest(edit.registryId(), edit.commandId(), RebuildReason.REGISTRY_EDITED,
                    clock.instant(), false));
        }
    }

    private void setEnabled(RegistryCommand.SetEnabled command) {
        String name = command.enabled() ? "enable" : "disable";
        if (!registries.setEnabled(command.registryId(), command.enabled())) {
            rejected(command, name, "unknown registry");
            return;
        }
        accepted(command, name);
        if (command.enabled()) {
            syncer.sync(new SyncRequest(command.registryId(), command.commandId(), RebuildReason.REGISTRY_ENABLED,
                    command.requestedAt(), false));
        } else {
            // The index holds agents of enabled registries only.
            removal.removeRows(command.registryId(), command.commandId());
        }
    }

    private void connect(RegistryCommand.Connect connect) {
        String url;
        try {
            url = RegistryUrls.normalize(connect.url());
        } catch (InvalidRegistryUrlException e) {
            rejected(connect, "connect", e.getMessage());
            return;
        }
        try {
            registries.insert(connect.registryId(), connect.name(), url, connect.authToken(), connect.tokenToCards());
        } catch (DuplicateKeyException e) {
            // Two connects of one URL raced past the API's check: the first one wins.
            rejected(connect, "connect", "a registry with url " + url + " is already connected");
            return;
        }
        accepted(connect, "connect");
        syncer.sync(new SyncRequest(connect.registryId(), connect.commandId(), RebuildReason.REGISTRY_CONNECTED,
                connect.requestedAt(), false));
    }
}
