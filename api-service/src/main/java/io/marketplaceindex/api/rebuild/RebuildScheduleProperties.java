package io.marketplaceindex.api.rebuild;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.scheduling.support.CronExpression;

import java.time.Duration;

/**
 * The scheduled producer. Every replica runs it; a tick is published by one of them only.
 *
 * @param cron             when to rebuild every enabled registry (Spring cron, six fields, UTC); {@code -} turns
 *                         the scheduled rebuild off
 * @param jitter           each replica waits a random part of this after a tick before claiming it, so that
 *                         deployments do not all hit their registries on the hour; shorter than the cron's period
 * @param ttlCheckInterval how often registries whose records recommend a shorter {@code ttlSecondsRecommended}
 *                         are looked for and re-synced when that long has passed since their last sync or
 *                         request; {@code 0} turns TTL re-syncs off
 * @param retention        how long rebuild requests (the queued lines of the progress) and claimed ticks are kept
 */
@ConfigurationProperties("marketplace.rebuild")
public record RebuildScheduleProperties(@DefaultValue("0 0 * * * *") String cron,
                                        @DefaultValue("PT5M") Duration jitter,
                                        @DefaultValue("PT1M") Duration ttlCheckInterval,
                                        @DefaultValue("P7D") Duration retention) {

    static final String OFF = "-";

    public RebuildScheduleProperties {
        if (!OFF.equals(cron) && !CronExpression.isValidExpression(cron)) {
            throw new IllegalArgumentException("marketplace.rebuild.cron '" + cron + "' is not a cron expression "
                    + "(six fields: second minute hour day month weekday), nor '-' (off)");
        }
        if (jitter.isNegative() || ttlCheckInterval.isNegative() || retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("marketplace.rebuild: jitter and ttl-check-interval must not be "
                    + "negative, retention must be positive");
        }
    }

    boolean cronEnabled() {
        return !OFF.equals(cron);
    }

    boolean ttlEnabled() {
        return !ttlCheckInterval.isNegative() && !ttlCheckInterval.isZero();
    }
}
