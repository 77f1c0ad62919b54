package io.marketplaceindex.api.command;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * @param topicPrefix       prefix of every topic name; must match the workers'
 * @param partitions        partitions of topics this service creates when they are missing
 * @param replicationFactor replication factor of those topics
 * @param sendTimeout       how long an operator request waits for the broker to take its command
 */
@ConfigurationProperties("marketplace.kafka")
public record MessagingProperties(@DefaultValue("") String topicPrefix,
                                  @DefaultValue("12") int partitions,
                                  @DefaultValue("1") short replicationFactor,
                                  @DefaultValue("10s") Duration sendTimeout) {
}
