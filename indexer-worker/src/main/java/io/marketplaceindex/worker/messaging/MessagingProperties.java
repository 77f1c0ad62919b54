package io.marketplaceindex.worker.messaging;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The worker's own Kafka knobs; topic names and sizes are shared (EventsConfiguration).
 *
 * @param commandConcurrency  commands a worker process runs at the same time, one per registry at
 *                            most, taken from any partition it owns
 * @param maxBufferedCommands commands taken from the topic and not finished (running or waiting for
 *                            their registry's previous command) before the worker stops fetching more
 * @param deliveryAttempts    attempts at a failing command before it goes to the dead-letter topic
 */
@ConfigurationProperties("marketplace.kafka")
public record MessagingProperties(@DefaultValue("3") int commandConcurrency,
                                  @DefaultValue("32") int maxBufferedCommands,
                                  @DefaultValue("3") int deliveryAttempts) {

    public MessagingProperties {
        if (commandConcurrency < 1) {
            throw new IllegalArgumentException("marketplace.kafka.command-concurrency must be at least 1");
        }
        if (maxBufferedCommands < commandConcurrency) {
            throw new IllegalArgumentException(
                    "marketplace.kafka.max-buffered-commands must be at least the command concurrency");
        }
    }
}
