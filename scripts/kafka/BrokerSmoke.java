import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Proves a broker works end to end (admin, produce with acks=all, consume in a group), since
 * auto.create.topics.enable=false and a listening port alone prove little. Run by
 * {@code scripts/kafka/broker smoke} as a single-file program on the broker's class path.
 */
public class BrokerSmoke {

    public static void main(String[] args) throws Exception {
        String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:9092";
        String topic = "broker-smoke-" + UUID.randomUUID();
        List<String> sent = List.of("one", "two", "three");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            try {
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                        "bootstrap.servers", bootstrap, "acks", "all", "linger.ms", 0),
                        new StringSerializer(), new StringSerializer())) {
                    for (String value : sent) {
                        producer.send(new ProducerRecord<>(topic, "k", value)).get(30, TimeUnit.SECONDS);
                    }
                }
                List<String> received = new ArrayList<>();
                try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                        "bootstrap.servers", bootstrap, "group.id", topic, "auto.offset.reset", "earliest"),
                        new StringDeserializer(), new StringDeserializer())) {
                    consumer.subscribe(List.of(topic));
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (received.size() < sent.size() && System.nanoTime() < deadline) {
                        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                            received.add(r.value());
                        }
                    }
                }
                if (!received.equals(sent)) {
                    System.err.println("smoke FAILED: sent " + sent + ", received " + received);
                    System.exit(1);
                }
                System.out.println("smoke OK: produced and consumed " + sent.size() + " records via " + bootstrap);
            } finally {
                admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            }
        }
    }
}
