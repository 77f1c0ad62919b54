package io.marketplaceindex.agent;

import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A normalized agent as the worker stores it: its index fields and its JSON, both from a single
 * serialization. The content hash is computed over the canonical JSON anyway, and the index keeps
 * agents as {@code jsonb}, which orders keys its own way, so storing that same text instead of a
 * second serialization in {@link AgentNormalizer#FIELD_ORDER} stores the very same value.
 *
 * @param fields the columns extracted for search, sorting and change detection
 * @param json   the agent as {@link AgentIndexFields#canonicalBytes(tools.jackson.databind.JsonNode) canonical}
 *               JSON: compact, keys sorted at every level
 */
public record IndexedAgent(AgentIndexFields fields, String json) {

    public IndexedAgent {
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(json, "json");
    }

    /**
     * @param normalizedAgent an agent as {@link AgentNormalizer#normalize} built it
     * @throws IllegalArgumentException when it has no string {@code handle}, i.e. is not a normalized agent
     */
    public static IndexedAgent of(ObjectNode normalizedAgent) {
        byte[] canonical = AgentIndexFields.canonicalBytes(normalizedAgent);
        return new IndexedAgent(AgentIndexFields.of(normalizedAgent, canonical),
                new String(canonical, StandardCharsets.UTF_8));
    }
}
