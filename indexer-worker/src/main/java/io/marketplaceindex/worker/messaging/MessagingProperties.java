package io.marketplaceindex.worker.messaging;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The worker's own Kafka knobs; topic names and sizes are shared (EventsConfiguration).
 *
 * @param listenerConcurrency consumer threads per worker process
 * @param deliveryAttempts    attempts at a failing command before it goes to the dead-letter topic
 */
@ConfigurationProperties("marketplace.kafka")
public record MessagingProperties(@DefaultValue("3") int listenerConcurrency,
                                  @DefaultValue("3") int deliveryAttempts) {
}
