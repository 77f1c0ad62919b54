package io.marketplaceindex.worker.catalog;

import io.marketplaceindex.worker.WorkerTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class TombstonePurgerIT extends WorkerTestSupport {

    @Autowired
    TombstonePurger purger;

    @Test
    void removalsOlderThanTheRetentionArePurgedAndNewerOnesKept() {
        UUID registry = UUID.randomUUID();
        jdbc.sql("""
                        INSERT INTO marketplace_catalog_tombstones (registry_id, handle, removed_at, change_xid)
                        VALUES (?, 'old-one', now() - interval '8 days', 1), (?, 'recent-one', now() - interval '6 days', 2)
                        """)
                .params(registry, registry).update();

        purger.purge();

        assertThat(jdbc.sql("SELECT handle FROM marketplace_catalog_tombstones WHERE registry_id = ?").param(registry)
                .query(String.class).list()).containsExactly("recent-one");
    }
}
