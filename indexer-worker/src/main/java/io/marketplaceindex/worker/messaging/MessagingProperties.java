package io.marketplaceindex.worker.messaging;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param topicPrefix  prefix of every topic name (several environments on one broker)
 * @param partitions   partitions of the command topic; commands are keyed by registry id, so this
 *                     bounds how many workers can sync at once
 * @param replicationFactor replication factor of topics the worker creates
 * @param listenerConcurrency consumer threads per worker process
 * @param deliveryAttempts attempts at a failing command before it goes to the dead-letter topic
 */
@ConfigurationProperties("marketplace.kafka")
public record MessagingProperties(@DefaultValue("") String topicPrefix,
                                  @DefaultValue("12") int partitions,
                                  @DefaultValue("1") short replicationFactor,
                                  @DefaultValue("3") int listenerConcurrency,
                                  @DefaultValue("3") int deliveryAttempts) {
}
