package io.marketplaceindex.api.catalog;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A version of what a catalog answer's meta shows of the registries ({@code sources}, {@code
 * registries}). That changes without a new catalog generation: a failed sync writes no row, and a
 * registry without agents is connected, disabled or removed without one. Catalog cache keys and ETags
 * carry this version beside the generation, so such a change reaches every answer within one poll.
 *
 * <p>The version is a digest of every enabled registry's id, name, URL, status, agent count and error;
 * the same data gives the same digest on every replica, so they keep sharing cache entries. The fetch
 * time ({@code fetchMs}) is left out: it changes with every sync, changed rows or not, and would empty
 * the caches on every rebuild. It is as of the answer's generation or version, whichever moved last.
 */
@Component
public class SourcesVersion {

    private static final Logger log = LoggerFactory.getLogger(SourcesVersion.class);

    // marketplace_registries is one row per registry: a few thousand at most, read whole
    private static final String DIGEST = """
            SELECT coalesce(left(md5(string_agg(
                       concat_ws(' ', id, name, url, last_sync_status = 'ok', record_count,
                                 CASE WHEN last_sync_status = 'ok' THEN NULL ELSE last_error_public END),
                       E'\\n' ORDER BY id)), 12), 'none')
            FROM marketplace_registries
            WHERE enabled
            """;

    private final JdbcClient jdbc;
    private final AtomicReference<String> current = new AtomicReference<>();

    SourcesVersion(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public String current() {
        String value = current.get();
        return value != null ? value : refresh();
    }

    @Scheduled(fixedDelayString = "${marketplace.cache.generation-poll-interval:PT5S}")
    public void poll() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("could not read the registries' state: {}", e.getMessage());
        }
    }

    private String refresh() {
        String fromDb = jdbc.sql(DIGEST).query(String.class).single();
        current.set(fromDb);
        return fromDb;
    }
}
