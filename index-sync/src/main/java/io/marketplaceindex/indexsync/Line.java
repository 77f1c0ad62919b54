package io.marketplaceindex.indexsync;

import io.marketplaceindex.rebuild.ProgressDetail;
import io.marketplaceindex.rebuild.ProgressStatus;
import io.marketplaceindex.rebuild.SyncCounts;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.Objects;

/**
 * One registry's line of a rebuild's progress.
 *
 * @param status the line's status as the api-service gave it; a newer api-service may name one this version
 *               does not know, which counts as an outcome
 * @param counts the sync's counts, once it committed (empty before)
 * @param error  the worker's error text, when it gave one
 */
record Line(String id, String name, String status, ObjectNode counts, String error) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static Line queued(String id) {
        return new Line(id, null, ProgressStatus.QUEUED.value(), JsonNodeFactory.instance.objectNode(), null);
    }

    /** From a line of the progress answer: its detail is the worker's {@link ProgressDetail}. */
    static Line of(JsonNode progressLine) {
        ProgressDetail detail = JSON.treeToValue(progressLine.path("detail"), ProgressDetail.class);
        return new Line(progressLine.path("registryId").asString(), textOrNull(progressLine.path("name")),
                progressLine.path("status").asString("unknown"), counts(detail == null ? null : detail.counts()),
                detail == null ? null : detail.error());
    }

    /** From a {@code registry} event of the progress stream: its counts are the sync's counts. */
    static Line ofEvent(JsonNode event) {
        JsonNode counts = event.path("counts");
        JsonNode error = event.path("error");
        return new Line(event.path("registryId").asString(), textOrNull(event.path("name")),
                event.path("status").asString("unknown"),
                counts(counts.isObject() ? JSON.treeToValue(counts, SyncCounts.class) : null),
                error.isString() ? error.asString() : null);
    }

    private static ObjectNode counts(SyncCounts counts) {
        return counts == null ? JsonNodeFactory.instance.objectNode() : JSON.valueToTree(counts);
    }

    private static String textOrNull(JsonNode node) {
        return node.isString() ? node.asString() : null;
    }

    /** Queued or syncing: no outcome yet. */
    boolean unfinished() {
        return ProgressStatus.find(status).map(known -> !known.finished()).orElse(false);
    }

    boolean failed() {
        return ProgressStatus.FAILED.value().equals(status);
    }

    /** The same state to a reader: a new count while syncing is no change worth a line. */
    boolean sameState(Line other) {
        return status.equals(other.status) && Objects.equals(error, other.error);
    }

    String label() {
        return name == null ? id : name + " (" + id + ")";
    }

    String describe() {
        StringBuilder line = new StringBuilder(label()).append(": ").append(status);
        if (!counts.isEmpty()) {
            line.append(' ').append(counts);
        }
        if (error != null) {
            line.append(" - ").append(error);
        }
        return line.toString();
    }
}
