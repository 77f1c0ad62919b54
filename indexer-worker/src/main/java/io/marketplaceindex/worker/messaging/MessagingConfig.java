package io.marketplaceindex.worker.messaging;

import io.marketplaceindex.events.EventsConfiguration;
import io.marketplaceindex.events.InvalidEventException;
import io.marketplaceindex.events.Topics;
import org.apache.kafka.common.TopicPartition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.FixedBackOff;
import tools.jackson.core.JacksonException;

@Configuration(proxyBeanMethods = false)
@Import(EventsConfiguration.class)
class MessagingConfig {

    /**
     * A command that keeps failing is retried a bounded number of times, then parked in the
     * dead-letter topic with the exception in its headers, so no partition is blocked forever.
     * A payload that can never be decoded goes there at once.
     */
    @Bean
    DefaultErrorHandler commandErrorHandler(KafkaOperations<String, byte[]> template, Topics topics,
                                            MessagingProperties properties) {
        var recoverer = new DeadLetterPublishingRecoverer(template,
                (record, exception) -> new TopicPartition(topics.commandsDeadLetter(), -1));
        var handler = new DefaultErrorHandler(recoverer,
                new FixedBackOff(1_000L, Math.max(0, properties.deliveryAttempts() - 1)));
        handler.addNotRetryableExceptions(InvalidEventException.class, JacksonException.class);
        return handler;
    }
}
