package io.marketplaceindex.api.rebuild;

import io.marketplaceindex.api.control.ControlDatabase;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Who publishes a scheduled tick: the replica whose row for (task, tick) is inserted first. Keyed by
 * the tick's scheduled time rather than held for a while (a lease with a hold time lets a replica whose
 * timer fires after the hold publish the same tick again), so a tick is published at most once whatever
 * the replicas' delays, and once as long as one replica is up.
 */
@Repository
class TickLease {

    private final ControlDatabase control;
    /** This replica, as the claims name it: two contexts of one process are two replicas. */
    private final String replica = ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);

    TickLease(ControlDatabase control) {
        this.control = control;
    }

    boolean claim(String task, Instant tick) {
        return control.jdbc().sql("""
                        INSERT INTO marketplace_control.schedule_ticks (task, tick_at, claimed_by) VALUES (?, ?, ?)
                        ON CONFLICT (task, tick_at) DO NOTHING
                        """) // primary key (task, tick_at)
                .params(task, Timestamp.from(tick), replica).update() == 1;
    }

    String replica() {
        return replica;
    }

    /** Old claims and old rebuild requests (whose rebuilds have long ended) go. */
    void purge(String task, Instant now, Duration retention) {
        Timestamp before = Timestamp.from(now.minus(retention));
        control.jdbc().sql("DELETE FROM marketplace_control.schedule_ticks WHERE task = ? AND tick_at < ?") // primary key
                .params(task, before).update();
        control.jdbc().sql("DELETE FROM marketplace_control.rebuild_requests WHERE requested_at < ?") // rebuild_requests_age
                .param(before).update();
    }
}
