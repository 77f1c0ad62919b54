package io.marketplaceindex.api.rebuild;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * The rebuild progress streams ({@code GET /api/marketplace/index-rebuild/{id}/events}).
 *
 * @param maxStreams   streams open at once on this replica; one more answers 503 with Retry-After
 * @param maxDuration  a stream still open after this long ends with a {@code timeout} event (the rebuild
 *                     goes on; the client may open a new stream or poll the progress)
 * @param pollInterval how often an open stream reads the rebuild's progress (two primary-key reads)
 */
@ConfigurationProperties("marketplace.rebuild.events")
public record RebuildEventsProperties(@DefaultValue("32") int maxStreams,
                                      @DefaultValue("PT30M") Duration maxDuration,
                                      @DefaultValue("PT0.5S") Duration pollInterval) {

    public RebuildEventsProperties {
        if (maxStreams < 1) {
            throw new IllegalArgumentException("marketplace.rebuild.events.max-streams must be at least 1");
        }
        if (isNotPositive(maxDuration) || isNotPositive(pollInterval)) {
            throw new IllegalArgumentException("marketplace.rebuild.events max-duration and poll-interval must be positive");
        }
    }

    private static boolean isNotPositive(Duration d) {
        return d.isNegative() || d.isZero();
    }
}
