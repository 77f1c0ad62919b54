package io.marketplaceindex.api.security;

import org.springframework.security.core.Authentication;

/** Who asked for a command, as it is recorded with the command and shown in the registry's history. */
public final class Requester {

    private Requester() {
    }

    /** The authenticated principal's name; operator endpoints are never anonymous, but a null stays visible. */
    public static String of(Authentication auth) {
        return auth == null || auth.getName() == null ? "unknown" : auth.getName();
    }
}
