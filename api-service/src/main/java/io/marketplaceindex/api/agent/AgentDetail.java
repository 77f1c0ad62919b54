package io.marketplaceindex.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.marketplaceindex.api.web.RawJson;

import java.time.Instant;

/**
 * The answer of the agent detail endpoints. Every key is always present (null when unknown), so a
 * client can tell "no card" from "an older server".
 *
 * @param data   the normalized agent, as the catalog serves it
 * @param record the registry record it was built from, as last fetched
 * @param card   the Agent Card, as last fetched; null when it could not be fetched
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record AgentDetail(RawJson data, RawJson record, RawJson card, Sync sync) {

    /**
     * @param updatedAt          when the agent last changed in the index
     * @param generation         the stamp of that change: its position in the changes feed, where
     *                           the same change carries the same value
     * @param fetchedAt          when its record and card were last fetched
     * @param cardError          why the last card fetch failed, if it did (the agent keeps the card before)
     * @param registrySyncStatus pending | syncing | ok | stale | failed | disabled
     * @param lastSuccessAt      the end of the registry's latest successful sync
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Sync(Instant updatedAt, long generation, Instant fetchedAt, String cardError,
                       String registrySyncStatus, Instant lastSuccessAt) {
    }
}
