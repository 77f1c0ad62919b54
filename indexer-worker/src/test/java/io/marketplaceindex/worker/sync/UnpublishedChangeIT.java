package io.marketplaceindex.worker.sync;

import io.marketplaceindex.rebuild.ProgressStatus;
import io.marketplaceindex.rebuild.SyncCounts;
import io.marketplaceindex.worker.WorkerTestSupport;
import io.marketplaceindex.worker.catalog.CatalogChangePublisher;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rows are committed before the change event goes out, so a broker that refuses the event cannot
 * turn the sync into a failure: before, the exception reached the syncer, which recorded the registry
 * stale with an error and overwrote its rebuild line with "failed".
 */
class UnpublishedChangeIT extends WorkerTestSupport {

    @Autowired
    SyncStateStore state;

    @Autowired
    Clock clock;

    @Test
    void aCommittedSyncWhoseEventNoBrokerTakesStaysOkAndTheLossIsCounted() throws IOException {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        DefaultKafkaProducerFactory<String, byte[]> unreachable = new DefaultKafkaProducerFactory<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + closedPort(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 500,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 1000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 500,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
        try {
            CatalogChangePublisher publisher = new CatalogChangePublisher(new KafkaTemplate<>(unreachable), topics(),
                    codec, meters);
            SyncReporter reporter = new SyncReporter(publisher, state, clock, meters);
            UUID registry = UUID.randomUUID();
            UUID rebuild = UUID.randomUUID();

            ProgressStatus status = reporter.committed(registry, rebuild, "operator",
                    new CommitResult(7, new SyncCounts(1, 0, 1, 0, 1, 0, 0, 0), null));

            assertThat(status).isEqualTo(ProgressStatus.OK);
            assertThat(progressStatus(rebuild)).isEqualTo("ok");
            assertThat(meters.counter("marketplace.catalog.changes.unpublished").count()).isEqualTo(1.0);
        } finally {
            unreachable.destroy();
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
