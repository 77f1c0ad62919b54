package io.marketplaceindex.api.catalog;

import io.marketplaceindex.api.web.ReadBudget;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs an aggregate over filtered rows (an exact total, tag counts) within
 * {@code marketplace.catalog.exact-count-timeout}. Such a query can touch every matching row, which
 * at millions of rows takes seconds; past the budget the caller answers with something cheaper,
 * flagged as inexact, instead of holding a connection. The limit is set as every read's is
 * ({@link ReadBudget}), only shorter and with a fallback instead of a 503.
 */
@Component
class CountBudget {

    private final ReadBudget budget;
    private final Duration timeout;

    CountBudget(ReadBudget budget, CatalogProperties properties) {
        this.budget = budget;
        this.timeout = properties.exactCountTimeout();
    }

    /** @return the query's result, or empty when it ran out of time (any other failure is thrown) */
    <T> Optional<T> run(Supplier<T> query) {
        return run(query, timeout);
    }

    /** The same with another budget, for work done off the request path; a zero budget runs nothing. */
    <T> Optional<T> run(Supplier<T> query, Duration timeout) {
        return budget.within(timeout, query);
    }
}
