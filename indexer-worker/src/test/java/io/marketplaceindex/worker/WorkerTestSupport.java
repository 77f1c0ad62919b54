package io.marketplaceindex.worker;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.marketplaceindex.agent.SearchGrams;
import io.marketplaceindex.events.CatalogChanged;
import io.marketplaceindex.events.EventCodec;
import io.marketplaceindex.events.Topics;
import io.marketplaceindex.simulator.SimulatedAgent;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.testsupport.TestServices;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.awaitility.Awaitility;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import javax.sql.DataSource;
import java.sql.Array;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker against real PostgreSQL and Kafka, with its own database, topics and consumer group.
 *
 * <p>As deployed, the worker's pool logs in as a member of {@code marketplace_writer} (no DDL, no
 * TRUNCATE) and its migrations run over a connection of their own as the schema owner. What a test
 * sets up or inspects with {@link #jdbc} runs as the owner, so that a test may also inject faults
 * (triggers) that the worker itself could never create.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
public abstract class WorkerTestSupport {

    protected static final String TOPIC_PREFIX = TestServices.uniqueTopicPrefix();
    /** Registry tokens are encrypted under this key; tokens under the previous one still decrypt (a rotation). */
    protected static final String TOKEN_KEY = TestServices.newTokenKey("test-current");
    protected static final String PREVIOUS_TOKEN_KEY = TestServices.newTokenKey("test-previous");
    protected static final String DATABASE;
    private static final TestServices.Login WORKER_LOGIN;
    private static final DataSource OWNER;

    static {
        TestServices.requireKafka();
        DATABASE = TestServices.freshDatabase("worker");
        WORKER_LOGIN = TestServices.workerLogin();
        HikariConfig owner = new HikariConfig();
        owner.setPoolName("test-owner");
        owner.setJdbcUrl(DATABASE);
        owner.setUsername(TestServices.postgresUser());
        owner.setPassword(TestServices.postgresPassword());
        owner.setMaximumPoolSize(4);
        owner.setMinimumIdle(0);
        OWNER = new HikariDataSource(owner);
    }

    /** The test's own access to the database, as its owner. */
    protected final JdbcClient jdbc = JdbcClient.create(OWNER);

    protected final EventCodec codec = new EventCodec();

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> DATABASE);
        registry.add("spring.datasource.username", WORKER_LOGIN::user);
        registry.add("spring.datasource.password", WORKER_LOGIN::password);
        registry.add("spring.flyway.user", TestServices::postgresUser);
        registry.add("spring.flyway.password", TestServices::postgresPassword);
        registry.add("spring.datasource.hikari.minimum-idle", () -> "1");
        registry.add("spring.kafka.bootstrap-servers", TestServices::kafkaBootstrap);
        registry.add("spring.kafka.consumer.group-id", () -> TOPIC_PREFIX + "indexer");
        registry.add("marketplace.kafka.topic-prefix", () -> TOPIC_PREFIX);
        registry.add("marketplace.registry.allow-private-addresses", () -> "true");
        registry.add("marketplace.token-encryption.key", () -> TOKEN_KEY);
        registry.add("marketplace.token-encryption.previous-keys", () -> PREVIOUS_TOKEN_KEY);
        // short timeouts keep the fault tests quick
        registry.add("marketplace.registry.response-timeout", () -> "1s");
        registry.add("marketplace.registry.total-request-deadline", () -> "3s");
        registry.add("marketplace.registry.max-retry-after", () -> "3s");
        // Here, not in one test class: every worker test shares this context (and its consumer group).
        // Registries of more than 50 agents sync in chunks of 20; the smaller ones keep the single-thread path.
        registry.add("marketplace.sync.chunk-threshold", () -> "50");
        registry.add("marketplace.sync.chunk-size", () -> "20");
    }

    protected static Topics topics() {
        return new Topics(TOPIC_PREFIX);
    }

    protected static KafkaConsumer<String, byte[]> consumer(String topic) {
        return TestServices.topicReader(topic);
    }

    protected List<CatalogChanged> changes(KafkaConsumer<String, byte[]> consumer, Duration wait) {
        List<CatalogChanged> result = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                result.add(codec.decodeCatalogChanged(record.value()));
            }
        }
        return result;
    }

    /** Polls the condition in the test's own thread: what it reads (a consumer, a bean) need not be thread-safe. */
    protected static void await(String what, Duration timeout, BooleanSupplier condition) {
        Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(100)).pollInSameThread()
                .until(condition::getAsBoolean);
    }

    protected Map<String, Object> registryRow(UUID id) {
        return jdbc.sql("SELECT * FROM marketplace_registries WHERE id = ?").param(id).query().singleRow();
    }

    protected List<String> handles(UUID registryId) {
        return jdbc.sql("SELECT handle FROM marketplace_catalog_rows WHERE registry_id = ? ORDER BY handle")
                .param(registryId).query(String.class).list();
    }

    /** Adds a registry row for a simulated registry (enabled, no token), as a connect would. */
    protected UUID register(SimulatedRegistry registry) {
        UUID id = UUID.randomUUID();
        jdbc.sql("INSERT INTO marketplace_registries (id, name, url) VALUES (?, ?, ?)")
                .params(id, registry.name(), registry.baseUrl()).update();
        return id;
    }

    /** The rebuild's status for its registry, or null before the worker recorded it. */
    protected String progressStatus(UUID rebuild) {
        return jdbc.sql("SELECT status FROM marketplace_rebuild_progress WHERE rebuild_id = ?").param(rebuild)
                .query(String.class).optional().orElse(null);
    }

    /** Waits until the rebuild has left "syncing" and returns its final status. */
    protected String awaitRebuild(UUID rebuild) {
        await("rebuild " + rebuild + " finished", Duration.ofSeconds(90), () -> {
            String status = progressStatus(rebuild);
            return status != null && !"syncing".equals(status);
        });
        return progressStatus(rebuild);
    }

    /** The registry's rows are exactly the simulator's agents, by handle and name. */
    protected void assertIndexMatches(UUID id, SimulatedRegistry registry) {
        Map<String, String> names = new HashMap<>();
        jdbc.sql("SELECT handle, agent->>'name' AS name FROM marketplace_catalog_rows WHERE registry_id = ?").param(id)
                .query((rs, n) -> names.put(rs.getString(1), rs.getString(2))).list();
        Map<String, String> expected = new HashMap<>();
        for (SimulatedAgent agent : registry.agents()) {
            expected.put(agent.handle(), agent.name());
        }
        assertThat(names).isEqualTo(expected);
        // each row with its source and the card URL the record names, and no source without its row
        Map<String, String> cardUrls = new HashMap<>();
        jdbc.sql("""
                        SELECT handle, card_url, record::jsonb ->> 'agentCardUrl'
                        FROM marketplace_catalog_sources WHERE registry_id = ?
                        """)
                .param(id).query((rs, n) -> {
                    assertThat(rs.getString(2)).as("card_url of %s", rs.getString(1)).isEqualTo(rs.getString(3));
                    return cardUrls.put(rs.getString(1), rs.getString(2));
                }).list();
        assertThat(cardUrls.keySet()).isEqualTo(expected.keySet());
        // every row's grams, inserted or rewritten, directly or through staging, are those of its search text
        jdbc.sql("SELECT handle, search_text, search_grams FROM marketplace_catalog_rows WHERE registry_id = ?").param(id)
                .query((rs, n) -> {
                    Array grams = rs.getArray(3);
                    assertThat(grams == null ? null : List.of((String[]) grams.getArray()))
                            .as("search_grams of %s", rs.getString(1)).isEqualTo(SearchGrams.of(rs.getString(2)));
                    return n;
                }).list();
    }
}
