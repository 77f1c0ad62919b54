package io.marketplaceindex.worker.catalog;

import io.marketplaceindex.events.CatalogChanged;
import io.marketplaceindex.events.EventCodec;
import io.marketplaceindex.events.Topics;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.stereotype.Component;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tells api-service replicas that the catalog moved to a new generation. Sent after the commit;
 * if it is lost anyway, readers still catch up by polling the generation (see api-service).
 */
@Component
public class CatalogChangePublisher {

    private final KafkaOperations<String, byte[]> kafka;
    private final Topics topics;
    private final EventCodec codec;

    public CatalogChangePublisher(KafkaOperations<String, byte[]> kafka, Topics topics, EventCodec codec) {
        this.kafka = kafka;
        this.topics = topics;
        this.codec = codec;
    }

    public void publish(CatalogChanged event) {
        try {
            kafka.send(topics.catalogChanges(), event.registryId().toString(), codec.encode(event))
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing " + event, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not publish " + event, e);
        }
    }
}
