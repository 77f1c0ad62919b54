package io.marketplaceindex.api.command;

import io.marketplaceindex.events.EventCodec;
import io.marketplaceindex.events.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

import java.time.Clock;

@Configuration(proxyBeanMethods = false)
class MessagingConfig {

    @Bean
    Topics topics(MessagingProperties properties) {
        return new Topics(properties.topicPrefix());
    }

    @Bean
    EventCodec eventCodec() {
        return new EventCodec();
    }

    @Bean
    KafkaAdmin.NewTopics topicDefinitions(Topics topics, MessagingProperties properties) {
        return new KafkaAdmin.NewTopics(topics.definitions(properties.partitions(), properties.replicationFactor())
                .toArray(NewTopic[]::new));
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
