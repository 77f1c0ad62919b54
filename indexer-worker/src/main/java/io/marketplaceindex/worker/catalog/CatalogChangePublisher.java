package io.marketplaceindex.worker.catalog;

import io.marketplaceindex.events.CatalogChanged;
import io.marketplaceindex.events.EventCodec;
import io.marketplaceindex.events.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.stereotype.Component;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tells api-service replicas that the catalog moved to a new generation. Sent after the commit, so
 * a broker that fails now cannot undo it: the event is logged and counted as unpublished, and
 * readers still catch up by polling the generation (api-service's CatalogGeneration). Throwing
 * instead would have the caller record a committed sync as failed.
 */
@Component
public class CatalogChangePublisher {

    private static final Logger log = LoggerFactory.getLogger(CatalogChangePublisher.class);

    private final KafkaOperations<String, byte[]> kafka;
    private final Topics topics;
    private final EventCodec codec;
    private final Counter unpublished;

    public CatalogChangePublisher(KafkaOperations<String, byte[]> kafka, Topics topics, EventCodec codec,
                                  MeterRegistry meters) {
        this.kafka = kafka;
        this.topics = topics;
        this.codec = codec;
        this.unpublished = meters.counter("marketplace.catalog.changes.unpublished");
    }

    /** @return whether the broker took the event */
    public boolean publish(CatalogChanged event) {
        try {
            kafka.send(topics.catalogChanges(), event.registryId().toString(), codec.encode(event))
                    .get(30, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return lost(event, e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return lost(event, e);
        }
    }

    private boolean lost(CatalogChanged event, Exception cause) {
        unpublished.increment();
        log.warn("catalog change {} is committed but was not published; api-service replicas see it when they "
                + "next poll the generation", event, cause);
        return false;
    }
}
