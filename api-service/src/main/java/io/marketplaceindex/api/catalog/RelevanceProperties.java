package io.marketplaceindex.api.catalog;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param relevanceCandidates sort=relevance ranks at most this many matches of q (the first found by
 *                            the word index): a common word never ranks the whole catalog. A result
 *                            with more matches says so with meta.totalExact=false, and pages end there
 */
@ConfigurationProperties("marketplace.search")
public record RelevanceProperties(@DefaultValue("1000") int relevanceCandidates) {
}
