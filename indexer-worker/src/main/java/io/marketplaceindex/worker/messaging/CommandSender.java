package io.marketplaceindex.worker.messaging;

import io.marketplaceindex.events.EventCodec;
import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.events.Topics;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Commands the worker sends to itself (the chunks of a large sync and their finish). Returns once
 * the broker has acknowledged every one of them, so the caller's offset is only committed after.
 */
@Component
public class CommandSender {

    private final KafkaOperations<String, byte[]> kafka;
    private final Topics topics;
    private final EventCodec codec;

    public CommandSender(KafkaOperations<String, byte[]> kafka, Topics topics, EventCodec codec) {
        this.kafka = kafka;
        this.topics = topics;
        this.codec = codec;
    }

    public void send(String key, RegistryCommand command) {
        sendAll(List.of(new Keyed(key, command)));
    }

    /** Sends all at once (the producer batches them), then waits for every acknowledgement. */
    public void sendAll(List<Keyed> commands) {
        CompletableFuture<?>[] sent = commands.stream()
                .map(c -> kafka.send(topics.commands(), c.key(), codec.encode(c.command())))
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(sent).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending " + commands.size() + " commands", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not send " + commands.size() + " commands", e);
        }
    }

    /** A command and its record key. */
    public record Keyed(String key, RegistryCommand command) {
    }
}
