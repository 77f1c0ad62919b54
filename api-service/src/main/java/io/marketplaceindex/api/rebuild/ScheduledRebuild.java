package io.marketplaceindex.api.rebuild;

import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.events.RegistryCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/**
 * The scheduled producer, on every replica: on each tick of {@code marketplace.rebuild.cron} a rebuild of
 * every enabled registry, and every {@code ttl-check-interval} a rebuild of the registries whose records'
 * recommended TTL has passed. Each tick is claimed in PostgreSQL ({@link TickLease}) after a random
 * jitter, and only the replica that claims it publishes.
 */
@Component
@EnableConfigurationProperties(RebuildScheduleProperties.class)
class ScheduledRebuild implements SmartLifecycle {

    static final String ALL = "rebuild-all";
    static final String TTL = "rebuild-ttl";

    private static final Logger log = LoggerFactory.getLogger(ScheduledRebuild.class);

    private final RebuildService rebuilds;
    private final TickLease lease;
    private final TaskScheduler scheduler;
    private final RebuildScheduleProperties properties;
    private final Clock clock;
    private final Map<String, ScheduledFuture<?>> pending = new ConcurrentHashMap<>();
    private volatile boolean running;

    ScheduledRebuild(RebuildService rebuilds, TickLease lease, TaskScheduler scheduler,
                     RebuildScheduleProperties properties, Clock clock) {
        this.rebuilds = rebuilds;
        this.lease = lease;
        this.scheduler = scheduler;
        this.properties = properties;
        this.clock = clock;
    }

    /** A task's ticks: the first tick strictly after a moment. */
    private record Task(String name, UnaryOperator<Instant> nextTick, Duration jitter) {
    }

    @Override
    public void start() {
        running = true;
        if (properties.cronEnabled()) {
            CronExpression cron = CronExpression.parse(properties.cron());
            UnaryOperator<Instant> next = after -> cron.next(after.atZone(ZoneOffset.UTC)).toInstant();
            schedule(new Task(ALL, next, checkedJitter(next)));
        }
        if (properties.ttlEnabled()) {
            long period = properties.ttlCheckInterval().toMillis();
            // ticks on multiples of the interval since the epoch: every replica computes the same ones
            UnaryOperator<Instant> next = after -> Instant.ofEpochMilli((after.toEpochMilli() / period + 1) * period);
            schedule(new Task(TTL, next, shorter(properties.jitter(), properties.ttlCheckInterval().dividedBy(2))));
        }
        log.info("scheduled rebuild: cron {}, TTL re-syncs every {}, jitter up to {}, replica {}",
                properties.cronEnabled() ? properties.cron() : "off",
                properties.ttlEnabled() ? properties.ttlCheckInterval() : "off", properties.jitter(), lease.replica());
    }

    @Override
    public void stop() {
        running = false;
        pending.values().forEach(f -> f.cancel(false));
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** A jitter as long as the cron's period would let a tick be claimed after the next one. */
    private Duration checkedJitter(UnaryOperator<Instant> next) {
        Instant first = next.apply(clock.instant());
        Duration period = Duration.between(first, next.apply(first));
        if (properties.jitter().compareTo(period) >= 0) {
            throw new IllegalStateException("marketplace.rebuild.jitter " + properties.jitter()
                    + " must be shorter than the cron's period (" + period + ")");
        }
        return properties.jitter();
    }

    private static Duration shorter(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void schedule(Task task) {
        if (!running) {
            return;
        }
        // after now, not after the last tick: a replica that was paused skips the ticks it missed
        Instant tick = task.nextTick().apply(clock.instant());
        long jitterMillis = task.jitter().toMillis();
        Instant at = tick.plusMillis(jitterMillis == 0 ? 0 : ThreadLocalRandom.current().nextLong(jitterMillis));
        pending.put(task.name(), scheduler.schedule(() -> run(task, tick), at));
    }

    private void run(Task task, Instant tick) {
        try {
            if (lease.claim(task.name(), tick)) {
                publish(task.name(), tick);
                lease.purge(task.name(), clock.instant(), properties.retention());
            }
        } catch (RuntimeException e) {
            // PostgreSQL or Kafka down: this tick is lost, the next one tries again
            log.error("scheduled {} of tick {} failed: {}", task.name(), tick, e.toString());
        } finally {
            schedule(task);
        }
    }

    private void publish(String task, Instant tick) {
        List<UUID> registries = ALL.equals(task) ? rebuilds.enabledRegistries() : rebuilds.dueByTtl(clock.instant());
        if (registries.isEmpty()) {
            return;
        }
        RebuildService.Started started = rebuilds.request(registries, RebuildReason.CRON, false,
                RegistryCommand.CRON);
        log.info("scheduled rebuild {} ({} tick {}) requested for {} registries", started.rebuildId(), task, tick,
                registries.size());
    }
}
