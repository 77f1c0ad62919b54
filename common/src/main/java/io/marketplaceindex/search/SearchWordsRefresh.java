package io.marketplaceindex.search;

import java.util.List;

/**
 * Rebuilds the dictionary of sort=relevance (marketplace_search_words, V20) from the catalog's word
 * vectors. One transaction: readers see the previous dictionary until it commits. It reads every
 * row's search_vector (about 11 s for 500,000 rows, docs/search.md), so the worker runs it on a
 * schedule, never per write. Words longer than 40 characters are left out (no one types them).
 */
public final class SearchWordsRefresh {

    /** One refresher at a time across replicas; the others skip their turn. */
    public static final String LOCK = "SELECT pg_try_advisory_xact_lock(hashtext('marketplace_search_words'))";

    public static final List<String> STATEMENTS = List.of(
            "DELETE FROM marketplace_search_words",
            """
            INSERT INTO marketplace_search_words (word, doc_count)
            SELECT word, ndoc FROM ts_stat('SELECT search_vector FROM marketplace_catalog_rows')
            WHERE length(word) <= 40
            """);

    private SearchWordsRefresh() {
    }
}
