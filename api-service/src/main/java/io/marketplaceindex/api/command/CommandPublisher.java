package io.marketplaceindex.api.command;

import io.marketplaceindex.api.web.ApiException;
import io.marketplaceindex.events.EventCodec;
import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.events.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.stereotype.Component;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Hands commands to the workers. The API never writes the index itself; it answers 202 once the
 * broker has the command, or 503 when it could not be handed over (nothing was half-done).
 */
@Component
public class CommandPublisher {

    private static final Logger log = LoggerFactory.getLogger(CommandPublisher.class);

    private final KafkaOperations<String, byte[]> kafka;
    private final Topics topics;
    private final EventCodec codec;
    private final MessagingProperties properties;

    public CommandPublisher(KafkaOperations<String, byte[]> kafka, Topics topics, EventCodec codec,
                            MessagingProperties properties) {
        this.kafka = kafka;
        this.topics = topics;
        this.codec = codec;
        this.properties = properties;
    }

    public void publish(RegistryCommand command) {
        try {
            kafka.send(topics.commands(), command.registryId().toString(), codec.encode(command))
                    .get(properties.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(command, e);
        } catch (ExecutionException | TimeoutException e) {
            throw unavailable(command, e);
        }
    }

    private static ApiException unavailable(RegistryCommand command, Exception e) {
        log.error("could not publish {}", command, e);
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "the command bus is unavailable; try again later");
    }
}
