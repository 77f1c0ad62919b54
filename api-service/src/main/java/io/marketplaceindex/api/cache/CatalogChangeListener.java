package io.marketplaceindex.api.cache;

import io.marketplaceindex.events.CatalogChanged;
import io.marketplaceindex.events.EventCodec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Every replica reads every change (a group of its own, from the latest offset): a change only
 * matters to caches that exist now. The listener is observed (spring.kafka.listener.observation-enabled):
 * where tracing is set up, the cache bust is a span of the trace the event's headers carry, the
 * sync's and the rebuild request's.
 */
@Component
class CatalogChangeListener {

    private static final Logger log = LoggerFactory.getLogger(CatalogChangeListener.class);

    private final EventCodec codec;
    private final CatalogGeneration generation;

    CatalogChangeListener(EventCodec codec, CatalogGeneration generation) {
        this.codec = codec;
        this.generation = generation;
    }

    @KafkaListener(id = "catalog-changes", topics = "#{@topics.catalogChanges()}",
            groupId = "marketplace-api-${random.uuid}",
            properties = {"auto.offset.reset=latest", "enable.auto.commit=true"})
    void onChange(ConsumerRecord<String, byte[]> message) {
        try {
            CatalogChanged change = codec.decodeCatalogChanged(message.value());
            generation.advanceTo(change.generation());
        } catch (RuntimeException e) {
            // Not fatal: the periodic generation read still advances the cache.
            log.warn("ignored an unreadable catalog-change event at {}-{}@{}: {}", message.topic(),
                    message.partition(), message.offset(), e.getMessage());
        }
    }
}
