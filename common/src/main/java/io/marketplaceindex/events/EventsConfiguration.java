package io.marketplaceindex.events;

import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

import java.time.Duration;

/**
 * What both services need to speak the event contracts: topic names, the codec, and the topics
 * themselves. Either service may create the topics (creation is idempotent), so neither depends on
 * the other having started first.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(EventsConfiguration.TopicProperties.class)
public class EventsConfiguration {

    /**
     * @param topicPrefix       prefix of every topic name (several environments on one broker)
     * @param partitions        partitions of topics created when missing; commands are keyed by
     *                          registry id, so this bounds how many workers sync at once
     * @param replicationFactor replication factor of those topics
     */
    @ConfigurationProperties("marketplace.kafka")
    public record TopicProperties(@DefaultValue("") String topicPrefix,
                                  @DefaultValue("12") int partitions,
                                  @DefaultValue("1") short replicationFactor) {
    }

    @Bean
    public Topics topics(TopicProperties properties) {
        return new Topics(properties.topicPrefix());
    }

    @Bean
    public EventCodec eventCodec() {
        return new EventCodec();
    }

    @Bean
    public KafkaAdmin.NewTopics topicDefinitions(Topics topics, TopicProperties properties) {
        return new KafkaAdmin.NewTopics(topics.definitions(properties.partitions(), properties.replicationFactor())
                .toArray(NewTopic[]::new));
    }

    /**
     * Readiness's "kafka" component. A healthy describe takes milliseconds; two seconds leaves room
     * for a loaded machine while staying under a probe timeout of a few seconds.
     */
    @Bean
    public KafkaHealthIndicator kafkaHealthIndicator(KafkaAdmin kafkaAdmin) {
        return new KafkaHealthIndicator(kafkaAdmin, Duration.ofSeconds(2), Duration.ofSeconds(2));
    }
}
