package io.marketplaceindex.events;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Why a registry sync was requested; shown in sync state and logs. */
public enum RebuildReason {
    @JsonProperty("operator") OPERATOR,
    @JsonProperty("cron") CRON,
    @JsonProperty("cli") CLI,
    @JsonProperty("registry-connected") REGISTRY_CONNECTED,
    @JsonProperty("registry-enabled") REGISTRY_ENABLED,
    /** An operator changed the registry's name, URL or token: it is synced with the new settings. */
    @JsonProperty("registry-edited") REGISTRY_EDITED,
    /** A reason added by a newer producer; still a valid request. */
    @JsonEnumDefaultValue @JsonProperty("other") OTHER
}
