package io.marketplaceindex.api.ratelimit;

import jakarta.servlet.http.HttpServletRequest;

import java.util.regex.Pattern;

/** Who a rate limit counts a request against. */
final class ClientAddress {

    /** What an address looks like (IPv4, IPv6, with zone); anything else in the header is not trusted. */
    private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f.:%]{2,64}|\\[[0-9A-Fa-f.:%]{2,64}]");

    private ClientAddress() {
    }

    /** The connection's address, or, behind a trusted proxy, the address that proxy saw. */
    static String of(HttpServletRequest request, boolean trustForwardedFor) {
        if (trustForwardedFor) {
            String forwarded = request.getHeader("X-Forwarded-For");
            if (forwarded != null) {
                // The last entry is the one our proxy appended; earlier ones are whatever the client sent.
                String[] hops = forwarded.split(",");
                String last = hops[hops.length - 1].trim();
                if (ADDRESS.matcher(last).matches()) {
                    return last;
                }
            }
        }
        return request.getRemoteAddr();
    }
}
