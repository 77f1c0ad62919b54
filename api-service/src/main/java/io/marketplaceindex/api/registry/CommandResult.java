package io.marketplaceindex.api.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.marketplaceindex.api.web.Millis;

import java.time.Instant;
import java.util.UUID;

/**
 * What a worker did with a registry command: carried out ({@code accepted}) or refused ({@code rejected},
 * with the error), and who asked. Named as the stored columns are.
 *
 * @param registryId only in the answer for one command; a registry's history leaves it out
 */
public record CommandResult(@JsonProperty("command_id") UUID commandId,
                            @JsonProperty("registry_id") UUID registryId, String command, String status, String error,
                            @JsonProperty("requested_by") String requestedBy,
                            @JsonProperty("recorded_at") @Millis Instant recordedAt) {
}
