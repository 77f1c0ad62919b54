package io.marketplaceindex.api.web;

import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/** Ids from requests, parsed strictly: UUID.fromString also accepts short forms such as "1-1-1-1-1". */
public final class Uuids {

    private static final Pattern CANONICAL =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private Uuids() {
    }

    /** @throws ApiException 400 with {@code reason} unless {@code raw} is a canonical UUID */
    public static UUID parse(String raw, String reason) {
        String trimmed = raw == null ? "" : raw.trim();
        if (!CANONICAL.matcher(trimmed).matches()) {
            throw ApiException.badRequest(reason);
        }
        return UUID.fromString(trimmed.toLowerCase(Locale.ROOT));
    }
}
