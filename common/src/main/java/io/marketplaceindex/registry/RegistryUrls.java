package io.marketplaceindex.registry;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** The one normalization of registry base URLs, shared by the API (filters, duplicates) and the worker. */
public final class RegistryUrls {

    private RegistryUrls() {
    }

    /**
     * Trims, drops trailing slashes, lower-cases scheme and host, and refuses anything that is not
     * an absolute http(s) URL without user info, query or fragment.
     *
     * @throws InvalidRegistryUrlException with a reason a client can act on
     */
    public static String normalize(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new InvalidRegistryUrlException("registry url is required");
        }
        String trimmed = stripTrailingSlashes(raw.trim());
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new InvalidRegistryUrlException("registry url is not a valid URI: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new InvalidRegistryUrlException("registry url must use http or https, got: "
                    + (scheme == null ? "no scheme" : scheme));
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new InvalidRegistryUrlException("registry url has no host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new InvalidRegistryUrlException("registry url must not carry credentials; use authToken");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new InvalidRegistryUrlException("registry url must not have a query or fragment");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        String port = uri.getPort() == -1 ? "" : ":" + uri.getPort();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return scheme + "://" + host + port + stripTrailingSlashes(path);
    }

    /** For filters: the same normalization when possible, else the input without trailing slashes. */
    public static String normalizeForMatch(String raw) {
        try {
            return normalize(raw);
        } catch (InvalidRegistryUrlException e) {
            return stripTrailingSlashes(raw.trim());
        }
    }

    private static String stripTrailingSlashes(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(0, end);
    }
}
