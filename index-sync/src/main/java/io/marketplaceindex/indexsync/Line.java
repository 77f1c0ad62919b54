package io.marketplaceindex.indexsync;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * One registry's line of a rebuild's progress.
 *
 * @param counts the numbers the worker reported (fetched, upserted, ...), as given
 * @param error  the worker's error text, when it gave one
 */
record Line(String id, String name, String status, ObjectNode counts, String error) {

    static Line queued(String id) {
        return new Line(id, null, "queued", JsonNodeFactory.instance.objectNode(), null);
    }

    static Line of(JsonNode progressLine) {
        JsonNode detail = progressLine.path("detail");
        ObjectNode counts = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> field : detail.properties()) {
            if (field.getValue().isNumber()) {
                counts.set(field.getKey(), field.getValue());
            }
        }
        JsonNode error = detail.path("error");
        return new Line(progressLine.path("registryId").asString(), textOrNull(progressLine.path("name")),
                progressLine.path("status").asString("unknown"), counts,
                error.isString() ? error.asString() : error.isMissingNode() || error.isNull() ? null : error.toString());
    }

    /** From a {@code registry} event of the progress stream: its counts are the sync's counts. */
    static Line ofEvent(JsonNode event) {
        ObjectNode counts = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> field : event.path("counts").properties()) {
            if (field.getValue().isNumber()) {
                counts.set(field.getKey(), field.getValue());
            }
        }
        JsonNode error = event.path("error");
        return new Line(event.path("registryId").asString(), textOrNull(event.path("name")),
                event.path("status").asString("unknown"), counts,
                error.isString() ? error.asString() : error.isMissingNode() || error.isNull() ? null : error.toString());
    }

    private static String textOrNull(JsonNode node) {
        return node.isString() ? node.asString() : null;
    }

    /** The same state to a reader: a new count while syncing is no change worth a line. */
    boolean sameState(Line other) {
        return status.equals(other.status) && java.util.Objects.equals(error, other.error);
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
