package io.marketplaceindex.events;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventCodecTest {

    private static final UUID REGISTRY = UUID.fromString("4f1b2c3d-1111-4222-8333-944455556666");
    private static final UUID RUN = UUID.fromString("7d6c5b4a-2222-4333-8444-a55566667777");
    private final EventCodec codec = new EventCodec();

    @Test
    void releasedCommandPayloadsStillParse() throws IOException {
        assertThat(codec.decodeCommand(resource("command-connect-v1.json")))
                .isEqualTo(new RegistryCommand.Connect(UUID.fromString("0b8d0d6e-8a5e-4d43-9a43-9f1f6a3c0c01"),
                        REGISTRY, Instant.parse("2026-11-26T10:00:00Z"), "Demo", "https://registry.example.org",
                        "secret-token"));
        // written before sendTokenToCards existed: the token stays away from cards
        assertThat(((RegistryCommand.Connect) codec.decodeCommand(resource("command-connect-v1.json"))).tokenToCards())
                .isFalse();
        assertThat(codec.decodeCommand(resource("command-rebuild-v1.json")))
                .isEqualTo(new RegistryCommand.Rebuild(UUID.fromString("0b8d0d6e-8a5e-4d43-9a43-9f1f6a3c0c02"),
                        REGISTRY, Instant.parse("2026-11-26T10:00:00Z"), RebuildReason.CRON, false));
        assertThat(codec.decodeCommand(resource("command-set-enabled-v1.json")))
                .isInstanceOfSatisfying(RegistryCommand.SetEnabled.class, c -> assertThat(c.enabled()).isFalse());
        assertThat(codec.decodeCommand(resource("command-remove-v1.json")))
                .isInstanceOf(RegistryCommand.Remove.class);
    }

    @Test
    void versionOnePayloadsSayNobodyAskedAndVersionTwoOnesNameWho() throws IOException {
        for (String v1 : new String[]{"command-connect-v1.json", "command-rebuild-v1.json", "command-set-enabled-v1.json",
                "command-remove-v1.json"}) {
            assertThat(codec.decodeCommand(resource(v1)).requestedBy()).as(v1).isNull();
        }
        assertThat(codec.decodeCommand(resource("command-edit-v2.json")))
                .isEqualTo(new RegistryCommand.Edit(UUID.fromString("0b8d0d6e-8a5e-4d43-9a43-9f1f6a3c0c06"), REGISTRY,
                        Instant.parse("2026-12-06T08:00:00Z"), "Demo renamed", null,
                        "enc:v1:k1:c2VhbGVkLWJ5dGVzLW5vdC1yZWFs", false, null, "ops@example.org"));
        assertThat(codec.decodeCommand(resource("command-rebuild-v2.json")))
                .isEqualTo(new RegistryCommand.Rebuild(UUID.fromString("0b8d0d6e-8a5e-4d43-9a43-9f1f6a3c0c07"),
                        REGISTRY, Instant.parse("2026-12-06T08:00:00Z"), RebuildReason.REGISTRY_EDITED, false,
                        RegistryCommand.CRON));
    }

    @Test
    void anEditNeverLogsItsToken() {
        var edit = new RegistryCommand.Edit(UUID.randomUUID(), REGISTRY, Instant.now(), null, null, "enc:v1:k1:abc",
                null, null, "ops");
        assertThat(edit.toString()).doesNotContain("abc").contains("replaced");
    }

    @Test
    void releasedChunkedSyncPayloadsStillParse() throws IOException {
        UUID rebuild = UUID.fromString("0b8d0d6e-8a5e-4d43-9a43-9f1f6a3c0c02");
        assertThat(codec.decodeCommand(resource("command-sync-chunk-v1.json")))
                .isEqualTo(new RegistryCommand.SyncChunk(rebuild, REGISTRY, Instant.parse("2026-11-26T10:00:02Z"), RUN,
                        3, 120, List.of("agent-00060.demo", "team/agent-slash.demo", "agént/ünï 1.demo")));
        assertThat(codec.decodeCommand(resource("command-finish-sync-v1.json")))
                .isEqualTo(new RegistryCommand.FinishSync(rebuild, REGISTRY, Instant.parse("2026-11-26T10:04:00Z"), RUN));
    }

    @Test
    void aChunkWithoutItsRunOrHandlesOrWithABadIndexIsRefusedWithAReason() {
        String common = "\"commandId\":\"0b8d0d6e-8a5e-4d43-9a43-9f1f6a3c0c02\","
                + "\"registryId\":\"4f1b2c3d-1111-4222-8333-944455556666\",\"requestedAt\":\"2026-11-26T10:00:02Z\"";
        assertThatThrownBy(() -> codec.decodeCommand(("{\"type\":\"registry.sync-chunk\"," + common
                + ",\"chunkIndex\":0,\"chunkCount\":1,\"handles\":[\"a\"]}").getBytes()))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("runId");
        assertThatThrownBy(() -> codec.decodeCommand(("{\"type\":\"registry.sync-chunk\"," + common
                + ",\"runId\":\"" + RUN + "\",\"chunkIndex\":0,\"chunkCount\":1}").getBytes()))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("handles");
        assertThatThrownBy(() -> codec.decodeCommand(("{\"type\":\"registry.sync-chunk\"," + common
                + ",\"runId\":\"" + RUN + "\",\"chunkIndex\":2,\"chunkCount\":2,\"handles\":[\"a\"]}").getBytes()))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> codec.decodeCommand(("{\"type\":\"registry.finish-sync\"," + common + "}").getBytes()))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("runId");
    }

    @Test
    void aChunkNeverLogsItsHandles() {
        var chunk = new RegistryCommand.SyncChunk(UUID.randomUUID(), REGISTRY, Instant.now(), RUN, 0, 1,
                List.of("a-handle-of-some-length"));
        assertThat(chunk.toString()).doesNotContain("a-handle-of-some-length").contains("handles=1");
    }

    @Test
    void newerProducersFieldsAndReasonsAreTolerated() throws IOException {
        RegistryCommand command = codec.decodeCommand(resource("command-rebuild-future-v1.json"));
        assertThat(command).isInstanceOfSatisfying(RegistryCommand.Rebuild.class,
                r -> assertThat(r.reason()).isEqualTo(RebuildReason.OTHER));
    }

    @Test
    void releasedCatalogChangePayloadsStillParse() throws IOException {
        assertThat(codec.decodeCatalogChanged(resource("catalog-changed-v1.json")))
                .isEqualTo(new CatalogChanged(1, 42, REGISTRY, UUID.fromString("0b8d0d6e-8a5e-4d43-9a43-9f1f6a3c0c02"),
                        3, 1, 2, Instant.parse("2026-11-26T10:00:01Z")));
    }

    @Test
    void roundTripsEveryCommand() {
        Instant now = Instant.parse("2026-11-26T12:00:00Z");
        for (RegistryCommand command : new RegistryCommand[]{
                new RegistryCommand.Connect(UUID.randomUUID(), REGISTRY, now, "n", "https://x.example", null),
                new RegistryCommand.Connect(UUID.randomUUID(), REGISTRY, now, "n", "https://x.example", "t", true),
                new RegistryCommand.Connect(UUID.randomUUID(), REGISTRY, now, "n", "https://x.example", "t", true, "ops"),
                new RegistryCommand.Edit(UUID.randomUUID(), REGISTRY, now, "n", "https://y.example", null, true, false, "ops"),
                new RegistryCommand.Edit(UUID.randomUUID(), REGISTRY, now, null, null, null, null, null, null),
                new RegistryCommand.SetEnabled(UUID.randomUUID(), REGISTRY, now, true),
                new RegistryCommand.SetEnabled(UUID.randomUUID(), REGISTRY, now, false, "ops"),
                new RegistryCommand.Remove(UUID.randomUUID(), REGISTRY, now),
                new RegistryCommand.Remove(UUID.randomUUID(), REGISTRY, now, "cli"),
                new RegistryCommand.Rebuild(UUID.randomUUID(), REGISTRY, now, RebuildReason.CRON, false, "cron"),
                new RegistryCommand.Rebuild(UUID.randomUUID(), REGISTRY, now, RebuildReason.REGISTRY_CONNECTED, true),
                new RegistryCommand.SyncChunk(UUID.randomUUID(), REGISTRY, now, RUN, 1, 2, List.of("a", "agent with space")),
                new RegistryCommand.FinishSync(UUID.randomUUID(), REGISTRY, now, RUN)}) {
            assertThat(codec.decodeCommand(codec.encode(command))).isEqualTo(command);
        }
    }

    @Test
    void aPayloadWithoutItsKeyFieldsIsRefusedWithAReason() {
        byte[] payload = "{\"type\":\"registry.remove\",\"commandId\":\"0b8d0d6e-8a5e-4d43-9a43-9f1f6a3c0c05\"}".getBytes();
        assertThatThrownBy(() -> codec.decodeCommand(payload))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("registryId");
    }

    @Test
    void theTokenNeverAppearsInToString() {
        var connect = new RegistryCommand.Connect(UUID.randomUUID(), REGISTRY, Instant.now(), "n", "https://x.example",
                "s3cr3t");
        assertThat(connect.toString()).doesNotContain("s3cr3t").contains("redacted");
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = EventCodecTest.class.getResourceAsStream("/events/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
