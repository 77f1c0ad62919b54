package io.marketplaceindex.api.command;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * The api-service's own Kafka knobs; topic names and sizes are shared (EventsConfiguration).
 *
 * @param sendTimeout how long an operator request waits for the broker to take its command
 */
@ConfigurationProperties("marketplace.kafka")
public record MessagingProperties(@DefaultValue("10s") Duration sendTimeout) {
}
