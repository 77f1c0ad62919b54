package io.marketplaceindex.events;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;

/**
 * The one place that turns events into bytes and back. Lenient on read (unknown fields and enum
 * values from newer producers are accepted), strict on the fields a consumer needs.
 */
public final class EventCodec {

    private final JsonMapper mapper = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // a field added in a later version (a boolean, say) is absent from older payloads
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(EnumFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
            .build();

    public byte[] encode(Object event) {
        return mapper.writeValueAsBytes(event);
    }

    public RegistryCommand decodeCommand(byte[] payload) {
        RegistryCommand command = mapper.readValue(payload, RegistryCommand.class);
        requireField(command.registryId(), "registryId", payload);
        requireField(command.commandId(), "commandId", payload);
        requireField(command.requestedAt(), "requestedAt", payload);
        if (command instanceof RegistryCommand.SyncChunk chunk) {
            requireField(chunk.runId(), "runId", payload);
            requireField(chunk.handles(), "handles", payload);
            if (chunk.chunkIndex() < 0 || chunk.chunkIndex() >= chunk.chunkCount()) {
                throw new InvalidEventException("sync chunk index " + chunk.chunkIndex() + " is outside 0.."
                        + (chunk.chunkCount() - 1) + ": " + excerpt(payload));
            }
        } else if (command instanceof RegistryCommand.FinishSync finish) {
            requireField(finish.runId(), "runId", payload);
        }
        return command;
    }

    public CatalogChanged decodeCatalogChanged(byte[] payload) {
        CatalogChanged event = mapper.readValue(payload, CatalogChanged.class);
        requireField(event.registryId(), "registryId", payload);
        return event;
    }

    private static void requireField(Object value, String name, byte[] payload) {
        if (value == null) {
            throw new InvalidEventException("event lacks required field '" + name + "': " + excerpt(payload));
        }
    }

    private static String excerpt(byte[] payload) {
        return new String(payload, 0, Math.min(payload.length, 200), StandardCharsets.UTF_8);
    }
}
