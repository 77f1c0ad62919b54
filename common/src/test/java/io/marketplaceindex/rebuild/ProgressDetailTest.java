package io.marketplaceindex.rebuild;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The progress detail as the worker wrote it before it was typed (each kind, as PostgreSQL's jsonb gives it
 * back) still parses, and writes back the same fields with the same values; so do fields it does not know.
 */
class ProgressDetailTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final UUID RUN = UUID.fromString("7d6c5b4a-2222-4333-8444-a55566667777");
    private static final UUID REBUILD = UUID.fromString("0b8d0d6e-8a5e-4d43-9a43-9f1f6a3c0c02");

    private static final List<String> RELEASED = List.of(
            "{}",
            "{\"counts\": {\"added\": 1, \"failed\": 0, \"listed\": 3, \"fetched\": 3, \"removed\": 0, \"updated\": 2, "
                    + "\"malformed\": 0, \"unchanged\": 0}, \"warning\": \"kept 4 rows\"}",
            "{\"error\": \"registry answered 503\", \"status\": \"http_503\"}",
            "{\"reason\": \"registry disabled\"}",
            "{\"runId\": \"" + RUN + "\", \"reason\": \"superseded by a newer sync of the registry\"}",
            "{\"satisfiedBySyncStartedAt\": \"2026-12-06T08:00:00.123456Z\"}",
            "{\"outcome\": \"ok\", \"runInFlight\": \"" + RUN + "\", \"joinedRebuild\": \"" + REBUILD + "\", "
                    + "\"satisfiedBySyncStartedAt\": \"2026-12-06T08:00:00Z\"}",
            "{\"runId\": \"" + RUN + "\", \"listed\": 25000, \"chunksDone\": 3, \"chunksTotal\": 50}",
            "{\"error\": \"chunked run did not finish\", \"runId\": \"" + RUN + "\", \"listed\": 25000, "
                    + "\"chunksDone\": 3, \"chunksTotal\": 50}",
            "{\"error\": \"connection refused\", \"retrying\": true}",
            "{\"error\": \"connection refused\", \"abandoned\": true}",
            "{\"addedByANewerWorker\": {\"x\": [1, 2]}, \"reason\": \"registry disabled\"}");

    @Test
    void everyReleasedDetailParsesAndWritesBackTheSameFieldsAndValues() {
        for (String stored : RELEASED) {
            ProgressDetail detail = JSON.readValue(stored, ProgressDetail.class);
            assertThat(JSON.readTree(JSON.writeValueAsString(detail))).as(stored).isEqualTo(JSON.readTree(stored));
        }
    }

    @Test
    void countsAWriterLeftOutAreZeroEvenWhereNullsForNumbersAreRefused() {
        JsonMapper strict = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).build();
        ProgressDetail detail = strict.readValue("{\"counts\":{\"added\":3,\"updated\":0,\"removed\":0}}",
                ProgressDetail.class);
        assertThat(detail.counts()).isEqualTo(new SyncCounts(0, 0, 0, 0, 3, 0, 0, 0));
    }

    @Test
    void eachKindOfLineWritesWhatItsReadersLookFor() {
        SyncCounts counts = new SyncCounts(3, 0, 3, 0, 1, 2, 0, 0);
        assertThat(JSON.readTree(JSON.writeValueAsString(ProgressDetail.synced(counts, null))))
                .isEqualTo(JSON.readTree("{\"counts\":" + JSON.writeValueAsString(counts) + "}"));
        ProgressDetail joined = ProgressDetail.joined(Instant.parse("2026-12-06T08:00:00Z"), RUN, REBUILD);
        assertThat(JSON.readTree(JSON.writeValueAsString(joined)).get(ProgressDetail.JOINED_REBUILD).asString())
                .isEqualTo(REBUILD.toString());
        assertThat(JSON.readTree(JSON.writeValueAsString(ProgressDetail.failed("http_503", "answered 503"))))
                .isEqualTo(JSON.readTree("{\"status\":\"http_503\",\"error\":\"answered 503\"}"));
        assertThat(JSON.readTree(JSON.writeValueAsString(
                ProgressDetail.synced(counts, "kept").withRun(RUN, 50, 50))).get("chunksDone").asInt()).isEqualTo(50);
        assertThat(JSON.writeValueAsString(ProgressDetail.none())).isEqualTo("{}");
    }

    @Test
    void statusesAreTheStoredValues() {
        for (ProgressStatus status : ProgressStatus.values()) {
            assertThat(JSON.writeValueAsString(status)).isEqualTo("\"" + status.value() + "\"");
            assertThat(JSON.readValue("\"" + status.value() + "\"", ProgressStatus.class)).isEqualTo(status);
        }
        assertThat(ProgressStatus.of("queued").finished()).isFalse();
        assertThat(ProgressStatus.of("syncing").finished()).isFalse();
        assertThat(ProgressStatus.of("coalesced").finished()).isTrue();
        assertThat(ProgressStatus.find("newer-state")).isEmpty();
        assertThatThrownBy(() -> ProgressStatus.of("newer-state")).hasMessageContaining("newer-state");
    }
}
