package io.marketplaceindex.worker.catalog;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How one commit changes the tag counters: rows per tag, and rows per pair of tags (for rows with
 * at most {@link #MAX_TAGS_FOR_PAIRS} tags; see V3__tag_pair_counts.sql). Collected while rows are
 * added, rewritten and removed, applied once by {@link CatalogStore#sealChange}.
 */
public final class TagCountDeltas {

    /** Must match the cardinality bound of the catalog_rows_many_tags index. */
    public static final int MAX_TAGS_FOR_PAIRS = 32;

    private final Map<String, Integer> tags = new HashMap<>();
    private final Map<Pair, Integer> pairs = new HashMap<>();

    record Pair(String a, String b) {
    }

    public void added(List<String> rowTags) {
        change(rowTags, 1);
    }

    public void removed(List<String> rowTags) {
        change(rowTags, -1);
    }

    Map<String, Integer> tags() {
        return tags;
    }

    Map<Pair, Integer> pairs() {
        return pairs;
    }

    private void change(List<String> rowTags, int delta) {
        for (String tag : rowTags) {
            tags.merge(tag, delta, Integer::sum);
        }
        if (rowTags.size() > MAX_TAGS_FOR_PAIRS) {
            return;
        }
        for (int i = 0; i < rowTags.size(); i++) {
            for (int j = i + 1; j < rowTags.size(); j++) {
                String x = rowTags.get(i);
                String y = rowTags.get(j);
                int order = compareBytes(x, y);
                if (order != 0) {
                    pairs.merge(order < 0 ? new Pair(x, y) : new Pair(y, x), delta, Integer::sum);
                }
            }
        }
    }

    /** PostgreSQL's COLLATE "C" order: UTF-8 bytes, which Java's UTF-16 compareTo does not match. */
    static int compareBytes(String x, String y) {
        return java.util.Arrays.compareUnsigned(x.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                y.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
