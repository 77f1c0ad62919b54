package io.marketplaceindex.worker;

import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.KafkaOperations;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The worker's pool logs in as a writer that is no superuser and owns nothing: everything a registry's
 * life takes (connect, a chunked sync, changes, removal) works with that role's privileges, and the
 * schema, the migration history and TRUNCATE stay out of its reach.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerDatabaseRoleIT extends WorkerTestSupport {

    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    @Autowired
    DataSource pool;

    @Autowired
    KafkaOperations<String, byte[]> kafka;

    private RegistrySimulator simulator;

    @BeforeAll
    void start() {
        simulator = RegistrySimulator.start(SimulatorOptions.defaults());
    }

    @AfterAll
    void stop() {
        simulator.close();
    }

    @Test
    void theWorkerConnectsAsAWriterThatIsNeitherSuperuserNorOwner() throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,
                            pg_has_role(current_user, 'marketplace_writer', 'MEMBER'),
                            (SELECT count(*) FROM pg_tables WHERE tableowner = current_user)
                     FROM pg_roles r WHERE r.rolname = current_user""")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean(1)).as("superuser").isFalse();
            assertThat(rs.getBoolean(2)).as("may create roles").isFalse();
            assertThat(rs.getBoolean(3)).as("may create databases").isFalse();
            assertThat(rs.getBoolean(4)).as("bypasses row security").isFalse();
            assertThat(rs.getBoolean(5)).as("member of marketplace_writer").isTrue();
            assertThat(rs.getLong(6)).as("tables it owns").isZero();
        }
    }

    @Test
    void aRegistrysWholeLifeRunsWithTheWritersPrivileges() throws Exception {
        // more agents than the chunk threshold: the run, its chunks and staging are written too
        SimulatedRegistry registry = simulator.addRegistry("role-writer", 80, 71L);
        UUID id = UUID.randomUUID();
        send(id, new RegistryCommand.Connect(UUID.randomUUID(), id, Instant.now(), "Role writer",
                registry.baseUrl(), null));
        await("registry synced", Duration.ofSeconds(90), () -> "ok".equals(syncStatus(id)));
        assertIndexMatches(id, registry);
        assertThat(jdbc.sql("SELECT count(*) FROM marketplace_sync_runs WHERE registry_id = ? AND status = 'done'")
                .param(id).query(Long.class).single()).as("chunked runs applied").isPositive();

        List<String> handles = registry.handles();
        registry.updateAgent(handles.get(0), "Renamed By The Writer");
        registry.removeAgent(handles.get(1));
        registry.addAgent("added-by-the-writer", "Added By The Writer");
        UUID rebuild = UUID.randomUUID();
        send(id, new RegistryCommand.Rebuild(rebuild, id, Instant.now(), RebuildReason.OPERATOR, false));
        assertThat(awaitRebuild(rebuild)).isEqualTo("ok");
        assertIndexMatches(id, registry);

        send(id, new RegistryCommand.Remove(UUID.randomUUID(), id, Instant.now()));
        await("registry removed", Duration.ofSeconds(60), () -> jdbc.sql(
                "SELECT count(*) FROM marketplace_registries WHERE id = ?").param(id).query(Long.class).single() == 0);
        assertThat(handles(id)).isEmpty();
        assertThat(jdbc.sql("SELECT count(*) FROM marketplace_catalog_tombstones WHERE registry_id = ?").param(id)
                .query(Long.class).single()).as("removals recorded for the changes feed: the 80 rows and the one removed before")
                .isEqualTo(81L);
    }

    @Test
    void theSchemaTheHistoryTruncateAndTheApiServicesControlSchemaAreOutOfItsReach() throws SQLException {
        for (String statement : List.of(
                "CREATE TABLE marketplace_intruder (id int)",
                "ALTER TABLE marketplace_catalog_rows ADD COLUMN intruder int",
                "CREATE INDEX intruder ON marketplace_catalog_rows (updated_at)",
                "DROP TABLE marketplace_tag_counts",
                "TRUNCATE marketplace_catalog_rows CASCADE",
                "SELECT count(*) FROM flyway_schema_history",
                "DELETE FROM flyway_schema_history",
                "SET ROLE marketplace_reader",
                // the api-service's own schema: accounts, token hashes, sessions are none of its business
                "SELECT count(*) FROM marketplace_control.users",
                "SELECT count(*) FROM marketplace_control.api_tokens",
                "SELECT count(*) FROM marketplace_control.spring_session",
                "DELETE FROM marketplace_control.spring_session_attributes",
                "CREATE TABLE marketplace_control.intruder (id int)")) {
            try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
                st.execute(statement);
                fail("not refused: " + statement);
            } catch (SQLException e) {
                assertThat(e.getSQLState()).as("%s: %s", statement, e.getMessage()).isEqualTo(INSUFFICIENT_PRIVILEGE);
            }
        }
    }

    private void send(UUID registryId, RegistryCommand command) throws Exception {
        kafka.send(topics().commands(), registryId.toString(), codec.encode(command)).get(10, TimeUnit.SECONDS);
    }

    private String syncStatus(UUID id) {
        return jdbc.sql("SELECT sync_status FROM marketplace_registries WHERE id = ?").param(id)
                .query(String.class).optional().orElse(null);
    }
}
