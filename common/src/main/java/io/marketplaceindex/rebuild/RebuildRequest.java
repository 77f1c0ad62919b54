package io.marketplaceindex.rebuild;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/**
 * What a rebuild asks for, as the api-service takes it ({@code POST /api/marketplace/index-rebuild}) and
 * index-sync sends it, with the rules both apply: the api-service answers a broken rule with the
 * {@link Refused#status()} and reason, and index-sync refuses the same arguments before it asks.
 *
 * @param registryIds the registries to rebuild; null for every enabled one
 * @param force       accept listings the shrink guard would refuse
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RebuildRequest(List<String> registryIds, Boolean force) {

    /** Everything enabled, without force. */
    public static RebuildRequest all() {
        return new RebuildRequest(null, false);
    }

    /** @param registryIds null for every enabled registry */
    public static RebuildRequest of(List<String> registryIds, boolean force) {
        return new RebuildRequest(registryIds == null ? null : List.copyOf(registryIds), force);
    }

    public boolean forced() {
        return Boolean.TRUE.equals(force);
    }

    /**
     * The registries asked for, each once, in the order given; null when every enabled registry is.
     *
     * @throws Refused (400) for an empty list, or an entry that is not an id
     */
    public List<UUID> askedIds() {
        if (registryIds == null) {
            return null;
        }
        if (registryIds.isEmpty()) {
            throw new Refused(400, "registryIds is empty: leave it out to rebuild every enabled registry");
        }
        return new ArrayList<>(new LinkedHashSet<>(registryIds.stream().map(RebuildRequest::id).toList()));
    }

    /**
     * The registries the rebuild will sync.
     *
     * @param asked   {@link #askedIds()}, or null for every enabled registry
     * @param enabled the enabled registries among those asked (every enabled one when all were asked)
     * @throws Refused (400) when an asked registry is unknown or disabled, (409) when nothing is left to
     *                 rebuild: an accepted rebuild would promise progress that never comes
     */
    public static List<UUID> targets(List<UUID> asked, List<UUID> enabled) {
        if (asked != null) {
            List<UUID> unknown = asked.stream().filter(id -> !enabled.contains(id)).toList();
            if (!unknown.isEmpty()) {
                throw new Refused(400, "unknown or disabled registries: " + unknown);
            }
        }
        if (enabled.isEmpty()) {
            throw new Refused(409, "no enabled registry to rebuild");
        }
        return enabled;
    }

    /** @throws Refused (400) when {@code raw} is not an id */
    public static UUID id(String raw) {
        try {
            return UUID.fromString(raw.trim());
        } catch (RuntimeException e) {
            throw new Refused(400, "'" + raw + "' is not an id");
        }
    }

    /** A broken rule: the HTTP status the api-service answers it with, and the reason it gives. */
    public static final class Refused extends RuntimeException {

        private final int status;

        public Refused(int status, String reason) {
            super(reason);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
