package io.marketplaceindex.rebuild;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Optional;

/**
 * The state of one registry's line in a rebuild's progress, as the worker writes it
 * (marketplace_rebuild_progress.status), the api-service serves it and index-sync follows it. The
 * JSON value is the stored one.
 */
public enum ProgressStatus {
    /** Requested, no worker has picked it up yet (the api-service's own line). */
    QUEUED("queued"),
    SYNCING("syncing"),
    /** Synced, and rows changed. */
    OK("ok"),
    /** Synced, and no row changed. */
    UNCHANGED("unchanged"),
    /** Not synced: the registry is unknown or disabled, or its run was superseded or cancelled. */
    SKIPPED("skipped"),
    /** Answered by a sync of the same registry that started after the request. */
    COALESCED("coalesced"),
    FAILED("failed");

    private final String value;

    ProgressStatus(String value) {
        this.value = value;
    }

    @JsonValue
    public String value() {
        return value;
    }

    /** Whether the line has its outcome; queued and syncing lines have not. */
    public boolean finished() {
        return this != QUEUED && this != SYNCING;
    }

    /** Whether the registry synced (with or without changed rows). */
    public boolean synced() {
        return this == OK || this == UNCHANGED;
    }

    /** @throws IllegalArgumentException for a value this version does not know */
    @JsonCreator
    public static ProgressStatus of(String value) {
        return find(value).orElseThrow(() -> new IllegalArgumentException("unknown progress status '" + value + "'"));
    }

    /** A reader of a newer writer's progress may meet a value it does not know: empty then. */
    public static Optional<ProgressStatus> find(String value) {
        return Arrays.stream(values()).filter(s -> s.value.equals(value)).findFirst();
    }

    @Override
    public String toString() {
        return value;
    }
}
