package io.marketplaceindex.worker.sync;

import io.marketplaceindex.agent.AgentIndexFields;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** What fetching one listed handle produced. */
sealed interface HandleResult {

    String handle();

    /** Record and card answered 304: nothing to write. */
    record NotModified(String handle) implements HandleResult {
    }

    /** A freshly built agent; the committer compares its hash and validators with the stored row. */
    record Fetched(String handle, ObjectNode agent, AgentIndexFields fields, JsonNode record, JsonNode card,
                   String recordEtag, String cardEtag, String cardLastModified, String cardError)
            implements HandleResult {
    }

    /** The registry says 404 or 410 for a listed handle: the row goes. */
    record Gone(String handle, int httpStatus) implements HandleResult {
    }

    /** This handle could not be fetched or used; its stored row (if any) is kept as it was. */
    record Failed(String handle, String kind, String message) implements HandleResult {
    }
}
