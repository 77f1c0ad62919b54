package io.marketplaceindex.api.rebuild;

import io.marketplaceindex.api.ApiServiceApplication;
import io.marketplaceindex.events.EventCodec;
import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.events.Topics;
import io.marketplaceindex.testsupport.CatalogSeeder;
import io.marketplaceindex.testsupport.TestServices;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two api-service replicas (two application contexts, one database, one broker) with the scheduled
 * rebuild at every second for a minute: the command topic holds exactly one rebuild per tick.
 */
class ScheduledRebuildReplicasIT {

    private static final Duration RUN = Duration.ofSeconds(60);

    private final String database = TestServices.uniqueDatabase("schedule");
    private final String topicPrefix = TestServices.uniqueTopicPrefix();


    @Test
    void exactlyOnePublicationPerTickAcrossTwoReplicas() throws Exception {
        TestServices.requireKafka();
        UUID registry;
        try (CatalogSeeder seeder = new CatalogSeeder(database)) {
            registry = seeder.registry("scheduled", "https://scheduled.example");
        }
        TestServices.Login login = TestServices.apiLogin();
        Instant from;
        Instant to;
        try (ConfigurableApplicationContext first = replica(login); ConfigurableApplicationContext second = replica(login)) {
            from = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
            Thread.sleep(RUN.toMillis());
            to = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        }

        Map<UUID, Instant> rebuilds = scheduledRebuilds(registry);
        // each rebuild belongs to the tick (whole second) it was requested in: the jitter is shorter
        Map<Instant, Set<UUID>> perTick = new TreeMap<>();
        rebuilds.forEach((id, at) -> perTick.computeIfAbsent(at.truncatedTo(ChronoUnit.SECONDS), t -> new HashSet<>()).add(id));
        perTick.forEach((tick, ids) -> assertThat(ids).as("rebuilds of tick %s", tick).hasSize(1));

        long ticksWhileBothRan = perTick.keySet().stream().filter(t -> !t.isBefore(from) && t.isBefore(to)).count();
        long seconds = Duration.between(from, to).toSeconds();
        // one tick may be lost to a pause of both (a full GC on a loaded machine), not more
        assertThat(ticksWhileBothRan).as("ticks published in %d s", seconds).isBetween(seconds - 2, seconds);

        Map<String, Long> claims = claimsPerReplica();
        assertThat(claims.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(rebuilds.size());
        assertThat(claims).as("both replicas competed for the ticks").hasSize(2);
        TestServices.dropDatabase(database);
    }

    private ConfigurableApplicationContext replica(TestServices.Login login) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("server.port", "0");
        properties.put("spring.datasource.url", database);
        properties.put("spring.datasource.username", login.user());
        properties.put("spring.datasource.password", login.password());
        properties.put("spring.datasource.hikari.maximum-pool-size", "3");
        properties.put("spring.data.redis.url", TestServices.redisUrl());
        properties.put("spring.kafka.bootstrap-servers", TestServices.kafkaBootstrap());
        properties.put("marketplace.kafka.topic-prefix", topicPrefix);
        properties.put("marketplace.cache.key-prefix", topicPrefix);
        properties.put("marketplace.admin-token", "schedule-test-" + UUID.randomUUID());
        properties.put("marketplace.rebuild.cron", "* * * * * *");
        properties.put("marketplace.rebuild.jitter", "PT0.3S");
        properties.put("marketplace.rebuild.ttl-check-interval", "0");
        properties.put("logging.level.io.marketplaceindex.api.rebuild", "warn");
        // as arguments: default properties would lose to application.yml
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        return new SpringApplicationBuilder(ApiServiceApplication.class).run(args);
    }

    /** Every scheduled rebuild command on the topic: its rebuild id and when it was requested. */
    private Map<UUID, Instant> scheduledRebuilds(UUID registry) {
        EventCodec codec = new EventCodec();
        Map<UUID, Instant> rebuilds = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = TestServices.topicReader(new Topics(topicPrefix).commands())) {
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < Duration.ofSeconds(5).toNanos()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    quietSince = System.nanoTime();
                    RegistryCommand command = codec.decodeCommand(record.value());
                    assertThat(command).isInstanceOf(RegistryCommand.Rebuild.class);
                    RegistryCommand.Rebuild rebuild = (RegistryCommand.Rebuild) command;
                    assertThat(rebuild.reason()).isEqualTo(RebuildReason.CRON);
                    assertThat(rebuild.registryId()).isEqualTo(registry);
                    assertThat(rebuilds.put(rebuild.commandId(), rebuild.requestedAt()))
                            .as("one command per registry and rebuild").isNull();
                }
            }
        }
        return rebuilds;
    }

    private Map<String, Long> claimsPerReplica() throws SQLException {
        Map<String, Long> claims = new HashMap<>();
        try (Connection c = DriverManager.getConnection(database, TestServices.postgresUser(), TestServices.postgresPassword());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT claimed_by, count(*) FROM marketplace_control.schedule_ticks "
                     + "WHERE task = 'rebuild-all' GROUP BY claimed_by")) {
            while (rs.next()) {
                claims.put(rs.getString(1), rs.getLong(2));
            }
        }
        return claims;
    }
}
