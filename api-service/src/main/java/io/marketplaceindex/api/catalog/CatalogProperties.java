package io.marketplaceindex.api.catalog;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * @param source            {@code db} (default): read the index, and while it holds no row at all answer
 *                          from the live catalog (meta.catalog "db_fallback"); {@code live}: always
 *                          answer from the live catalog (meta.catalog "redis"); see LiveCatalog
 * @param exactCountTimeout time budget for an exact total under filters the counters cannot answer;
 *                          past it the total is the planner's estimate with meta.totalExact=false
 *                          (0: never count on the request path)
 * @param backgroundCountTimeout budget of the exact count then run in the background; its result
 *                          is kept for the catalog generation, so later pages are exact
 * @param exactCountMaxEstimate a filter the planner expects to match more rows than this gets the
 *                          estimate at once, without trying to count within the timeout
 * @param trigramSampleInterval how often trigram frequencies and rows are sampled, for long {@code q}
 *                          needles (SubstringNarrowing) and the name walk's choice (NameWalk); 0
 *                          turns both off
 * @param maxOffset         the deepest {@code offset} served: a deeper one answers 400 pointing to
 *                          {@code cursor}, whose pages cost the same at any depth, while an offset is
 *                          walked entry by entry
 * @param metaTagsMax       meta.tags of a catalog page lists this many of the most frequent tags (sorted
 *                          by tag), with meta.tagsTruncated when there are more; all of them, with
 *                          counts, are at /api/marketplace/tags
 */
@ConfigurationProperties("marketplace.catalog")
public record CatalogProperties(@DefaultValue("db") String source,
                                @DefaultValue("250ms") Duration exactCountTimeout,
                                @DefaultValue("20000") long exactCountMaxEstimate,
                                @DefaultValue("60s") Duration backgroundCountTimeout,
                                @DefaultValue("PT1H") Duration trigramSampleInterval,
                                @DefaultValue("100000") int maxOffset,
                                @DefaultValue("200") int metaTagsMax) {
}
