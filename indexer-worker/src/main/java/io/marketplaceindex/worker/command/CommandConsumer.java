package io.marketplaceindex.worker.command;

import io.marketplaceindex.events.Topics;
import io.marketplaceindex.worker.messaging.MessagingProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Takes registry commands from Kafka and runs up to {@code marketplace.kafka.command-concurrency} of
 * them at once, from any partition this worker owns, one at a time per registry ({@link CommandBuffer}).
 *
 * <p>Why not one listener thread per partition group: a thread would sync the registries its
 * partitions hash to one after another while another thread sat idle, so a worker's throughput
 * depended on how registry ids happen to hash, and one long sync held up every registry sharing
 * its partition. Here one consumer feeds a shared pool: no runner idles while this worker has
 * commands of a free registry, and adding a replica adds its runners to the whole topic.
 *
 * <p>Offsets are committed only past finished commands. When partitions move to another replica
 * (cooperative rebalancing: only those partitions pause), their commands that have not started are
 * dropped, the running ones are awaited, and the offsets committed before the partitions are let
 * go, so the next owner neither repeats finished work nor runs a registry alongside this worker.
 * The consumer itself is only touched by the poll thread (Kafka's consumer is not thread-safe).
 */
@Component
class CommandConsumer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CommandConsumer.class);

    /** How long a poll waits for records; also how soon a freed runner lets paused fetching resume. */
    private static final Duration POLL = Duration.ofMillis(100);
    /** How long stopping waits for running commands before interrupting them (they are redelivered). */
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    /**
     * How long a rebalance waits for the running commands of partitions that move away. Longer than
     * any sync should take: giving a partition up mid-sync would let the next owner start the same
     * registry alongside this worker.
     */
    private static final Duration RELEASE_WAIT = Duration.ofMinutes(15);

    private final ConsumerFactory<String, byte[]> consumers;
    private final Topics topics;
    private final CommandRunner runner;
    private final MessagingProperties properties;
    private final boolean autoStartup;
    /** The current run of the consumer; a stopped context (tests pause them) starts a fresh one. */
    private volatile Session session;

    CommandConsumer(ConsumerFactory<String, byte[]> consumers, Topics topics, CommandRunner runner,
                    MessagingProperties properties, KafkaProperties kafka, MeterRegistry meters) {
        this.consumers = consumers;
        this.topics = topics;
        this.runner = runner;
        this.properties = properties;
        // Spring's own switch for listeners (spring.kafka.listener.auto-startup) applies here too.
        this.autoStartup = kafka.getListener().isAutoStartup();
        Gauge.builder("marketplace.commands.buffered", this, c -> c.gauge(CommandBuffer::buffered))
                .description("commands taken from Kafka and not finished, running or waiting")
                .register(meters);
        Gauge.builder("marketplace.commands.running", this, c -> c.gauge(CommandBuffer::running))
                .description("commands running now").register(meters);
    }

    @Override
    public synchronized void start() {
        if (session == null) {
            session = new Session(consumers.createConsumer());
            session.start();
        }
    }

    @Override
    public synchronized void stop() {
        if (session != null) {
            session.stop();
            session = null;
        }
    }

    @Override
    public boolean isAutoStartup() {
        return autoStartup;
    }

    @Override
    public boolean isRunning() {
        return session != null;
    }

    private double gauge(ToIntFunction<CommandBuffer> what) {
        Session current = session;
        return current == null ? 0 : what.applyAsInt(current.buffer);
    }

    /** One consumer, its buffer and its threads, from start to stop. */
    private final class Session {

        private final Consumer<String, byte[]> consumer;
        private final CommandBuffer buffer = new CommandBuffer();
        private final Thread poller = new Thread(this::pollLoop, "command-poll");
        private final List<Thread> runners = new ArrayList<>();
        private volatile boolean running = true;

        Session(Consumer<String, byte[]> consumer) {
            this.consumer = consumer;
            for (int i = 1; i <= properties.commandConcurrency(); i++) {
                runners.add(new Thread(this::runLoop, "command-run-" + i));
            }
        }

        void start() {
            poller.start();
            runners.forEach(Thread::start);
        }

        void stop() {
            running = false;
            consumer.wakeup();
            try {
                poller.join(STOP_GRACE.plusSeconds(10).toMillis());
                for (Thread t : runners) {
                    t.join(1_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void pollLoop() {
            try {
                consumer.subscribe(List.of(topics.commands()), new Rebalance());
                while (running) {
                    // Fetch only what the runners will get to soon: the rest stays in Kafka, where
                    // another replica can take it after a rebalance without it being dropped here.
                    if (buffer.buffered() >= properties.maxBufferedCommands()) {
                        consumer.pause(consumer.assignment());
                    } else if (!consumer.paused().isEmpty()) {
                        consumer.resume(consumer.paused());
                    }
                    try {
                        ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                        for (ConsumerRecord<String, byte[]> record : records) {
                            buffer.add(record);
                        }
                        commitAsync(buffer.toCommit());
                    } catch (WakeupException e) {
                        // stop() asked
                    } catch (RuntimeException e) {
                        log.error("polling registry commands failed; trying again in 1 s", e);
                        sleep(Duration.ofSeconds(1));
                    }
                }
            } finally {
                shutDown();
            }
        }

        private void runLoop() {
            while (true) {
                CommandBuffer.Entry entry;
                try {
                    entry = buffer.take(Duration.ofSeconds(1));
                } catch (InterruptedException e) {
                    return;
                }
                if (entry == null) {
                    if (buffer.isClosed()) {
                        return;
                    }
                    continue;
                }
                try {
                    runner.run(entry.record());
                    buffer.finish(entry);
                } catch (InterruptedException e) {
                    buffer.abandon(entry);
                    return;
                } catch (RuntimeException | Error e) {
                    // CommandRunner ends every command; reaching here is a bug: never pass its offset.
                    log.error("command runner failed on {}-{}@{}; it will be delivered again",
                            entry.record().topic(), entry.record().partition(), entry.record().offset(), e);
                    buffer.abandon(entry);
                }
            }
        }

        /** Lets running commands finish (for a while), commits what they finished, leaves the group. */
        private void shutDown() {
            buffer.close();
            try {
                if (!buffer.awaitIdle(STOP_GRACE)) {
                    log.warn("stopping with {} commands still running; they will be delivered again",
                            buffer.running());
                    runners.forEach(Thread::interrupt);
                    buffer.awaitIdle(Duration.ofSeconds(5));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                commitSync(buffer.toCommit());
            } catch (KafkaException e) {
                log.warn("could not commit the last offsets; their commands will be delivered again", e);
            }
            try {
                consumer.close(Duration.ofSeconds(10));
            } catch (KafkaException e) {
                log.warn("closing the command consumer failed", e);
            }
        }

        private void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            if (offsets.isEmpty()) {
                return;
            }
            consumer.commitAsync(offsets, (committed, failure) -> {
                if (failure != null) {
                    // During a rebalance commits are refused for a moment; the next poll tries again.
                    if (failure instanceof RebalanceInProgressException || failure instanceof RetriableException) {
                        log.debug("committing offsets {} failed; trying again: {}", offsets, failure.toString());
                    } else {
                        log.warn("committing offsets {} failed; trying again", offsets, failure);
                    }
                    buffer.commitFailed(offsets);
                }
            });
        }

        private void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            if (offsets.isEmpty()) {
                return;
            }
            try {
                consumer.commitSync(offsets);
            } catch (WakeupException e) {
                // stop() woke the consumer meanwhile; a wakeup is used up once: these offsets still count
                consumer.commitSync(offsets);
            }
        }

        /** Runs on the poll thread, inside {@code poll}. */
        private final class Rebalance implements ConsumerRebalanceListener {

            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                if (partitions.isEmpty()) {
                    return;
                }
                try {
                    // Stopping: the runners have had their grace period (and were interrupted) already.
                    if (!buffer.release(partitions, running ? RELEASE_WAIT : Duration.ZERO)) {
                        log.warn("giving up partitions {} with commands still running", partitions);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                try {
                    commitSync(buffer.toCommit(partitions));
                } catch (KafkaException e) {
                    log.warn("could not commit offsets of revoked partitions {}; their finished commands "
                            + "will be delivered again", partitions, e);
                }
                buffer.forget(partitions);
                log.info("released partitions {}", partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                // Already someone else's: nothing may be committed for them any more.
                buffer.forget(partitions);
                log.warn("lost partitions {}; their unfinished commands go to the new owner", partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    log.info("assigned partitions {}", partitions);
                }
            }
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
