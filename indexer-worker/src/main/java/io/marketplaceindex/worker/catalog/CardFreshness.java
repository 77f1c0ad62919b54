package io.marketplaceindex.worker.catalog;

import java.time.Instant;

/**
 * New freshness for a stored card that its host confirmed unchanged (304).
 *
 * @param freshUntil until when the card may be used without asking again; null: not fresh
 */
public record CardFreshness(String handle, Instant freshUntil) {
}
