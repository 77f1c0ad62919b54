package io.marketplaceindex.registry;

import io.marketplaceindex.registry.RegistryFetchException.Kind;
import org.apache.hc.core5.net.PercentCodec;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/** The URLs the client asks: registry paths, card URLs named by records, and redirect targets. */
final class RequestUrls {

    private static final int MAX_CARD_URL_CHARS = 4096;

    private RequestUrls() {
    }

    static URI registryUri(RegistryEndpoint registry, String path) {
        Objects.requireNonNull(registry, "registry");
        // baseUrl is normalized by RegistryEndpoint and path is ASCII built here: always a valid URI
        return URI.create(registry.baseUrl() + path);
    }

    static URI parseCardUrl(String raw) {
        String trimmed = raw.trim();
        if (trimmed.length() > MAX_CARD_URL_CHARS) {
            throw badCardUrl("agent card url longer than " + MAX_CARD_URL_CHARS + " chars", trimmed, false, null);
        }
        URI uri;
        try {
            uri = new URI(trimmed);
            if (!isAscii(trimmed)) {
                // an ASCII URI is its own ASCII form: parsing that again would give the same URI
                uri = new URI(uri.toASCIIString());
            }
        } catch (URISyntaxException e) {
            throw badCardUrl("agent card url is not a valid URI: ", trimmed, true, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw badCardUrl("agent card url must be an absolute http(s) URL: ", trimmed, true, null);
        }
        if (uri.getRawUserInfo() != null) {
            throw badCardUrl("agent card url must not carry credentials: ", trimmed, true, null);
        }
        if (uri.getRawFragment() != null) {
            // Cut from the ASCII form as it stands: URI's multi-argument constructors quote every '%',
            // so rebuilding the URI would escape its escapes and ask for another resource.
            String ascii = uri.toASCIIString();
            uri = URI.create(ascii.substring(0, ascii.indexOf('#')));
        }
        return uri;
    }

    /**
     * A card URL that cannot be fetched. Its shown form is built only here: reducing it to what is safe
     * to show parses it once more, which every card of every sync would otherwise pay for.
     */
    private static RegistryFetchException badCardUrl(String message, String url, boolean showUrl, Exception cause) {
        String shown = RegistryFetchException.safeUrl(url);
        return new RegistryFetchException(Kind.MALFORMED, showUrl ? message + shown : message, shown, null, cause);
    }

    /** Where a redirect leads: an absolute http(s) URL with a host and no credentials, or a REDIRECT failure. */
    static URI redirectTarget(URI from, String location) {
        URI next;
        try {
            next = from.resolve(new URI(location.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new RegistryFetchException(Kind.REDIRECT, "redirect from " + FetchFailures.shortUrl(from)
                    + " to an invalid location", from.toString(), null, e);
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new RegistryFetchException(Kind.REDIRECT, "redirect from " + FetchFailures.shortUrl(from)
                    + " to a non-http(s) location (" + RegistryFetchException.safeText(scheme, 20) + ")",
                    from.toString(), null, null);
        }
        if (next.getHost() == null || next.getRawUserInfo() != null) {
            throw new RegistryFetchException(Kind.REDIRECT, "redirect from " + FetchFailures.shortUrl(from)
                    + " to a location without a usable host", from.toString(), null, null);
        }
        return next;
    }

    /**
     * Percent-encodes a handle as exactly one path segment: every byte of its UTF-8 form outside
     * RFC 3986 "unreserved" is escaped (HttpCore's codec, shared with the registry simulator), so '/',
     * '#', '?', ':' and spaces cannot change the URL's structure. "." and ".." are escaped too, lest
     * they read as dot segments.
     */
    static String encodePathSegment(String segment) {
        if (segment.equals(".") || segment.equals("..")) {
            return segment.replace(".", "%2E");
        }
        return PercentCodec.RFC3986.encode(segment);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Scheme, host and port: the unit that decides where the bearer token may go. */
    record Origin(String scheme, String host, int port) {
        static Origin of(URI uri) {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
            int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
            return new Origin(scheme, host, port);
        }
    }
}
