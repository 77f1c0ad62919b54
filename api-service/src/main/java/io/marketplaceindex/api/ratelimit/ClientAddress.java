package io.marketplaceindex.api.ratelimit;

import jakarta.servlet.http.HttpServletRequest;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Who a rate limit counts a request against. The address is the request's remote address: the
 * connection's, or, when the connection comes from a trusted proxy, the right-most address of
 * {@code X-Forwarded-For} that is not itself a trusted proxy (Tomcat's RemoteIpValve resolves it,
 * configured by {@code server.forward-headers-strategy} and {@code server.tomcat.remoteip.*}).
 *
 * <p>An IPv6 client usually holds a whole /64 and can pick any address in it, so IPv6 clients are
 * counted per /64; an IPv4-mapped IPv6 address is counted as the IPv4 address it carries.
 */
final class ClientAddress {

    /** An IPv6 literal, optionally with a zone; anything else is not parsed (no name lookups). */
    private static final Pattern IPV6 = Pattern.compile("\\[?[0-9A-Fa-f:.]{2,45}(%[0-9A-Za-z._-]{1,32})?]?");

    private ClientAddress() {
    }

    static String of(HttpServletRequest request) {
        return of(request.getRemoteAddr());
    }

    static String of(String address) {
        if (address == null || address.indexOf(':') < 0 || !IPV6.matcher(address).matches()) {
            return address;
        }
        String literal = address.startsWith("[") ? address.substring(1, address.length() - 1) : address;
        int zone = literal.indexOf('%');
        if (zone >= 0) {
            literal = literal.substring(0, zone);
        }
        InetAddress parsed;
        try {
            parsed = InetAddress.getByName(literal); // a literal with ':' is parsed, never looked up
        } catch (UnknownHostException | IllegalArgumentException e) {
            return address;
        }
        if (!(parsed instanceof Inet6Address)) {
            return parsed.getHostAddress();
        }
        byte[] bytes = parsed.getAddress();
        StringBuilder prefix = new StringBuilder(24);
        for (int i = 0; i < 8; i += 2) {
            prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
        }
        return prefix.append(":/64").toString();
    }
}
