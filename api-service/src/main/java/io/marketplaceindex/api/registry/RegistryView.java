package io.marketplaceindex.api.registry;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;

import java.time.Instant;

/**
 * A registry as operators see it: the compatible fields first, then the sync state. The auth
 * token is never part of it, only whether one is set and whether it also goes to the registry's cards.
 * {@code lastError} and {@code recentErrors} carry the full detail (addresses, timeouts, refusals),
 * which the public catalog never shows.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RegistryView(String id, String name, String url, boolean enabled, int recordCount, Instant lastSyncAt,
                           String lastSyncStatus, Instant createdAt, boolean hasAuthToken, String syncStatus,
                           Instant lastAttemptAt, Instant lastSuccessAt, Long lastDurationMs, int consecutiveFailures,
                           String lastError, @JsonRawValue String counts, @JsonRawValue String recentErrors,
                           boolean sendTokenToCards) {
}
