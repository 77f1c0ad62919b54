package io.marketplaceindex.worker.command;

import io.marketplaceindex.events.InvalidEventException;
import io.marketplaceindex.logging.SyncLogContext;
import io.marketplaceindex.worker.messaging.MessagingProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.support.micrometer.KafkaListenerObservation;
import org.springframework.kafka.support.micrometer.KafkaListenerObservation.DefaultKafkaListenerObservationConvention;
import org.springframework.kafka.support.micrometer.KafkaRecordReceiverContext;
import org.springframework.stereotype.Component;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.FixedBackOff;
import tools.jackson.core.JacksonException;

/**
 * Runs one command to an end: done, or parked in the dead-letter topic with its reason after
 * {@code marketplace.kafka.delivery-attempts} attempts (at once for a payload that can never be
 * decoded), so no registry's commands are blocked for ever by one that keeps failing.
 *
 * <p>A command is observed as Spring Kafka observes a listener's record: where tracing is set up, its
 * span continues the trace whose context the record's headers carry (the operator's request that
 * published it), and everything the command does (the sync, its requests, its commit, the change
 * event it publishes) is part of that trace.
 */
@Component
class CommandRunner {

    private static final Logger log = LoggerFactory.getLogger(CommandRunner.class);
    private static final long RETRY_INTERVAL_MS = 1_000;
    private static final long MAX_DEAD_LETTER_RETRY_MS = 30_000;
    /** Names the command consumer in its observations, as a listener id would. */
    static final String LISTENER_ID = "registry-commands";

    private final RegistryCommandHandler handler;
    private final ConsumerRecordRecoverer deadLetters;
    private final int attempts;
    private final Counter done;
    private final Counter retried;
    private final Counter deadLettered;
    private final ObservationRegistry observations;
    private final String groupId;

    CommandRunner(RegistryCommandHandler handler, ConsumerRecordRecoverer deadLetters,
                  MessagingProperties properties, MeterRegistry meters, ObservationRegistry observations,
                  KafkaProperties kafka) {
        this.handler = handler;
        this.observations = observations;
        this.groupId = kafka.getConsumer().getGroupId();
        this.deadLetters = deadLetters;
        this.attempts = Math.max(1, properties.deliveryAttempts());
        this.done = meters.counter("marketplace.commands", "outcome", "done");
        this.retried = meters.counter("marketplace.commands", "outcome", "retried");
        this.deadLettered = meters.counter("marketplace.commands", "outcome", "dead_letter");
    }

    /**
     * Returns once the command is done or dead-lettered. Throws InterruptedException when the worker
     * stops first: the command is then unfinished and will be delivered again.
     */
    void run(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        // Every line about the command, its retries and its dead-lettering included, names its registry
        // and rebuild; the runner's thread is pooled, so the context is restored whatever happens.
        try (SyncLogContext ignored = handler.logContext(record)) {
            // inside the logging context: the span's scope adds the trace to it, and takes it out again
            observe(record).observeChecked(() -> runLogged(record));
        }
    }

    private Observation observe(ConsumerRecord<String, byte[]> record) {
        return KafkaListenerObservation.LISTENER_OBSERVATION.observation(null,
                DefaultKafkaListenerObservationConvention.INSTANCE,
                () -> new KafkaRecordReceiverContext(record, LISTENER_ID, null, groupId, () -> null), observations);
    }

    private void runLogged(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        BackOffExecution backOff = new FixedBackOff(RETRY_INTERVAL_MS, attempts - 1).start();
        while (true) {
            try {
                handler.handle(record);
                done.increment();
                return;
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException("stopped while running " + describe(record));
                }
                long wait = isPermanent(e) ? BackOffExecution.STOP : backOff.nextBackOff();
                if (wait == BackOffExecution.STOP) {
                    deadLetter(record, e);
                    return;
                }
                retried.increment();
                log.warn("{} failed, retrying in {} ms: {}", describe(record), wait, e.toString());
                Thread.sleep(wait);
            }
        }
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, RuntimeException failure)
            throws InterruptedException {
        log.error("{} goes to the dead-letter topic", describe(record), failure);
        try {
            handler.abandon(record, failure);
        } catch (RuntimeException e) {
            // most likely the trouble that failed the command; the line stays 'syncing' and a follower times out
            log.error("could not end the progress of {} as failed", describe(record), e);
        }
        long wait = RETRY_INTERVAL_MS;
        while (true) {
            try {
                deadLetters.accept(record, failure);
                deadLettered.increment();
                return;
            } catch (RuntimeException e) {
                // Its offset must not pass it unrecorded: the partition waits (its lag shows it).
                log.error("could not publish {} to the dead-letter topic, retrying in {} ms",
                        describe(record), wait, e);
                Thread.sleep(wait);
                wait = Math.min(wait * 2, MAX_DEAD_LETTER_RETRY_MS);
            }
        }
    }

    private static boolean isPermanent(RuntimeException e) {
        return e instanceof InvalidEventException || e instanceof JacksonException;
    }

    private static String describe(ConsumerRecord<String, byte[]> record) {
        return "command " + record.topic() + "-" + record.partition() + "@" + record.offset()
                + " (key " + record.key() + ")";
    }
}
