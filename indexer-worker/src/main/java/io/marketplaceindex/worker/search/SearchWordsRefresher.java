package io.marketplaceindex.worker.search;

import io.marketplaceindex.search.SearchWordsRefresh;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps the dictionary of sort=relevance (typo corrections, word rarity) in step with the catalog,
 * every {@code marketplace.search.words-refresh-interval}. A word indexed since the last refresh is
 * still found as typed; only its corrections and its rarity wait for the next one. Any replica may
 * run it; a transaction-scoped advisory lock makes the others skip.
 */
@Component
class SearchWordsRefresher {

    private static final Logger log = LoggerFactory.getLogger(SearchWordsRefresher.class);

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;

    SearchWordsRefresher(JdbcClient jdbc, TransactionTemplate transaction) {
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    @Scheduled(initialDelayString = "PT2M", fixedDelayString = "${marketplace.search.words-refresh-interval:PT1H}")
    void refresh() {
        long started = System.nanoTime();
        Integer words = transaction.execute(status -> {
            if (!Boolean.TRUE.equals(jdbc.sql(SearchWordsRefresh.LOCK).query(Boolean.class).single())) {
                return null;
            }
            int n = 0;
            for (String statement : SearchWordsRefresh.STATEMENTS) {
                n = jdbc.sql(statement).update();
            }
            return n;
        });
        if (words != null) {
            log.info("search dictionary refreshed: {} words in {} ms", words, (System.nanoTime() - started) / 1_000_000);
        }
    }
}
