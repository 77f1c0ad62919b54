package io.marketplaceindex.worker.messaging;

import io.marketplaceindex.events.EventsConfiguration;
import io.marketplaceindex.events.Topics;
import org.apache.kafka.common.TopicPartition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;

@Configuration(proxyBeanMethods = false)
@Import(EventsConfiguration.class)
class MessagingConfig {

    /**
     * Parks a command in the dead-letter topic with the exception in its headers
     * ({@code kafka_dlt-exception-message}, ...); returns once the broker has it.
     */
    @Bean
    ConsumerRecordRecoverer commandDeadLetters(KafkaOperations<String, byte[]> template, Topics topics) {
        return new DeadLetterPublishingRecoverer(template,
                (record, exception) -> new TopicPartition(topics.commandsDeadLetter(), -1));
    }
}
