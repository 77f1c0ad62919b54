package io.marketplaceindex.bench.read;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * One kind of read request the benchmark measures.
 *
 * @param name     short id used in tables and file names
 * @param endpoint the catalog or the tag facets
 * @param what     what the request is, for the report
 * @param params   its query parameters
 * @param extra    not one of the kinds the goals name: measured to show where the limits are
 */
record QueryKind(String name, Endpoint endpoint, String what, Map<String, String> params, boolean extra) {

    enum Endpoint {
        CATALOG("/api/marketplace"), TAGS("/api/marketplace/tags");

        final String path;

        Endpoint(String path) {
            this.path = path;
        }
    }

    static QueryKind catalog(String name, String what, boolean extra, String... keyValues) {
        return new QueryKind(name, Endpoint.CATALOG, what, map(keyValues), extra);
    }

    static QueryKind tags(String name, String what, boolean extra, String... keyValues) {
        return new QueryKind(name, Endpoint.TAGS, what, map(keyValues), extra);
    }

    private static Map<String, String> map(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    String path() {
        if (params.isEmpty()) {
            return endpoint.path;
        }
        StringJoiner query = new StringJoiner("&", endpoint.path + "?", "");
        params.forEach((k, v) -> query.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return query.toString();
    }

    /** The request as shown in the report (values shortened). */
    String display() {
        if (params.isEmpty()) {
            return endpoint.path;
        }
        StringJoiner query = new StringJoiner("&", endpoint.path + "?", "");
        params.forEach((k, v) -> query.add(k + "=" + (v.length() > 24 ? v.substring(0, 12) + "…" : v)));
        return query.toString();
    }

    /**
     * sort=relevance: q is matched by words (prefix, corrections) within a candidate budget, so no
     * substring count describes its matches; the API's own total does (docs/search.md).
     */
    boolean relevance() {
        return "relevance".equals(params.get("sort")) || "words".equals(params.get("match"));
    }

    List<Map<String, String>> variants() {
        return List.of(params);
    }
}
