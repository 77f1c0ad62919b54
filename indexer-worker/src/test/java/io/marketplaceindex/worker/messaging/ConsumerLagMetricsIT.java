package io.marketplaceindex.worker.messaging;

import io.marketplaceindex.worker.WorkerTestSupport;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Consumer lag is published as Micrometer meters by the Kafka client of the worker's command consumer
 * (records-lag per assigned partition, records-lag-max per consumer), so a platform team sees how
 * far behind the replicas are without asking the broker.
 */
class ConsumerLagMetricsIT extends WorkerTestSupport {

    @Autowired
    MeterRegistry meters;

    @Test
    void theListenersPublishTheirConsumerLag() {
        await("consumer lag meters", Duration.ofSeconds(60),
                () -> !meters.find("kafka.consumer.fetch.manager.records.lag.max").meters().isEmpty());
        List<Meter> lagMax = List.copyOf(meters.find("kafka.consumer.fetch.manager.records.lag.max").meters());
        assertThat(lagMax).isNotEmpty();
        // one per command consumer: tagged with its client id
        assertThat(lagMax).allSatisfy(m -> assertThat(m.getId().getTag("client.id")).isNotBlank());
    }
}
