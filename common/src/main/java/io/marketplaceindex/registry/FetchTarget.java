package io.marketplaceindex.registry;

import java.util.Locale;

/** What a request asks for: the tag of its meters and the name of its span. */
enum FetchTarget {
    HEALTH, LISTING, RECORD, CARD;

    final String tag = name().toLowerCase(Locale.ROOT);
    final String spanName = "GET registry " + tag;
}
