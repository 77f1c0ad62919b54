package io.marketplaceindex.api.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * @param statementTimeout the longest one statement of a public read may run (pages, the changes feed,
 *                         agent detail, tag facets, meta): past it the answer is 503 with
 *                         {@code Retry-After}, and the connection goes back to the pool; 0 turns it off
 */
@ConfigurationProperties("marketplace.read")
public record ReadProperties(@DefaultValue("2s") Duration statementTimeout) {
}
