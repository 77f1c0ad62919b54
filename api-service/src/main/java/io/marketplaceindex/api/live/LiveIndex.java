package io.marketplaceindex.api.live;

import io.marketplaceindex.agent.RecordProof;
import io.marketplaceindex.api.catalog.CatalogQuery;
import io.marketplaceindex.api.catalog.Cursor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A live snapshot prepared for queries: both sort orders and the tag union computed once. Applies
 * the catalog query exactly as the index's SQL does (CatalogRepository): the same filters on the
 * same extracted fields, and the same order, which in PostgreSQL is COLLATE "C", i.e. code point
 * order, and for registry ids unsigned byte order, i.e. the order of their lower-case text.
 */
final class LiveIndex {

    /** Code point order: Java's String.compareTo orders UTF-16 units, which differs above U+E000. */
    static final Comparator<String> CODE_POINTS = LiveIndex::compareCodePoints;

    private static final Comparator<LiveAgent> BY_HANDLE = Comparator.comparing(LiveAgent::handle, CODE_POINTS)
            .thenComparing(LiveAgent::registryId, CODE_POINTS);
    private static final Comparator<LiveAgent> BY_NAME = Comparator.comparing(LiveAgent::sortName, CODE_POINTS)
            .thenComparing(BY_HANDLE);

    private final LiveSnapshot snapshot;
    private final List<LiveAgent> byName;
    private final List<LiveAgent> byHandle;
    private final List<String> tags;
    /** Every tag, the most frequent first (ties by tag), for meta.tags' cap. */
    private final List<String> tagsByFrequency;

    LiveIndex(LiveSnapshot snapshot) {
        this.snapshot = snapshot;
        List<LiveAgent> names = new ArrayList<>(snapshot.agents());
        names.sort(BY_NAME);
        List<LiveAgent> handles = new ArrayList<>(snapshot.agents());
        handles.sort(BY_HANDLE);
        this.byName = List.copyOf(names);
        this.byHandle = List.copyOf(handles);
        Map<String, Integer> counts = new TreeMap<>(CODE_POINTS);
        snapshot.agents().forEach(a -> a.tags().forEach(tag -> counts.merge(tag, 1, Integer::sum)));
        this.tags = List.copyOf(counts.keySet());
        List<String> ranked = new ArrayList<>(this.tags);
        ranked.sort(Comparator.comparing((String tag) -> counts.get(tag)).reversed().thenComparing(CODE_POINTS));
        this.tagsByFrequency = List.copyOf(ranked);
    }

    LiveSnapshot snapshot() {
        return snapshot;
    }

    /** Union of all tags of the whole live catalog, sorted as meta.tags of the index is. */
    List<String> tags() {
        return tags;
    }

    /**
     * meta.tags as the index answers it (CatalogSummaryRepository): the {@code max} most frequent tags,
     * sorted by tag; all of them when there are no more.
     */
    List<String> mostFrequentTags(int max) {
        if (tags.size() <= max) {
            return tags;
        }
        List<String> top = new ArrayList<>(tagsByFrequency.subList(0, max));
        top.sort(CODE_POINTS);
        return top;
    }

    record Page(List<LiveAgent> agents, long total, String nextCursor) {
    }

    Page query(CatalogQuery query) {
        // the live catalog has no word index: sort=relevance answers its substring matches in name order
        List<LiveAgent> order = query.sort() == CatalogQuery.Sort.HANDLE ? byHandle : byName;
        Set<String> wanted = query.tags().isEmpty() ? null : new HashSet<>(query.tags());
        Cursor cursor = query.cursor();
        int skip = cursor == null ? query.offset() : 0;
        long total = 0;
        List<LiveAgent> page = new ArrayList<>(Math.min(query.limit(), order.size()));
        for (LiveAgent agent : order) {
            if (!matches(agent, query, wanted)) {
                continue;
            }
            total++; // the total counts every match, wherever the page starts (as the SQL count does)
            if (cursor != null && !after(agent, cursor, query.sort())) {
                continue;
            }
            if (skip > 0) {
                skip--;
            } else if (page.size() < query.limit()) {
                page.add(agent);
            }
        }
        String next = null;
        if (page.size() == query.limit() && query.sort() != CatalogQuery.Sort.RELEVANCE) {
            LiveAgent last = page.get(page.size() - 1);
            next = new Cursor(query.sort(), query.filterKey(), last.sortName(), last.handle(),
                    UUID.fromString(last.registryId())).encode();
        }
        return new Page(page, total, next);
    }

    private static boolean matches(LiveAgent agent, CatalogQuery query, Set<String> wanted) {
        if (query.needle() != null && !agent.searchText().contains(query.needle())) {
            return false;
        }
        if (query.registryUrl() != null && !query.registryUrl().equals(agent.registryUrl())) {
            return false;
        }
        if (query.verified() && !RecordProof.Status.VALID.wire().equals(agent.proofStatus())) {
            return false;
        }
        if (wanted != null) {
            for (String tag : agent.tags()) {
                if (wanted.contains(tag)) {
                    return true;
                }
            }
            return false;
        }
        return true;
    }

    /** The keyset condition of the SQL: (sort_name, handle, registry_id) &gt; the cursor's. */
    private static boolean after(LiveAgent agent, Cursor cursor, CatalogQuery.Sort sort) {
        int c = 0;
        if (sort != CatalogQuery.Sort.HANDLE) {
            c = compareCodePoints(agent.sortName(), cursor.sortName());
        }
        if (c == 0) {
            c = compareCodePoints(agent.handle(), cursor.handle());
        }
        if (c == 0) {
            c = compareCodePoints(agent.registryId(), cursor.registryId().toString());
        }
        return c > 0;
    }

    static int compareCodePoints(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char ca = a.charAt(i);
            char cb = b.charAt(i);
            if (ca != cb) {
                // A surrogate stands for a code point above U+FFFF, so it sorts after any other char;
                // two surrogates compare in code point order already.
                boolean sa = Character.isSurrogate(ca);
                boolean sb = Character.isSurrogate(cb);
                if (sa != sb) {
                    return sa ? 1 : -1;
                }
                return Character.compare(ca, cb);
            }
        }
        return Integer.compare(a.length(), b.length());
    }
}
