package io.marketplaceindex.api;

import com.zaxxer.hikari.HikariDataSource;
import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.session.jdbc.config.annotation.SpringSessionDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * "The api-service never writes the index" is enforced by the database twice: its main pool is
 * read-only at the server, and through it every kind of write to every catalog table is refused for
 * lack of privilege too, also after the session has been switched to read-write. It writes only its
 * own schema, marketplace_control (accounts, tokens, sessions, rebuild requests, schedule ticks), and
 * only through its control pool; no other role of the index may read or write that schema.
 */
class ApiDatabaseRoleIT extends ApiTestSupport {

    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    private static final String READ_ONLY_TRANSACTION = "25006";

    @Autowired
    DataSource pool;

    @Autowired
    io.marketplaceindex.api.control.ControlDatabase control;

    /** The control pool itself, as Spring Session gets it. */
    @Autowired
    @SpringSessionDataSource
    DataSource controlPool;

    @Test
    void theServiceConnectsAsAReaderThatIsNeitherSuperuserNorOwner() throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,
                            pg_has_role(current_user, 'marketplace_reader', 'MEMBER'),
                            pg_has_role(current_user, 'marketplace_writer', 'MEMBER'),
                            (SELECT count(*) FROM pg_tables WHERE tableowner = current_user)
                     FROM pg_roles r WHERE r.rolname = current_user""")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean(1)).as("superuser").isFalse();
            assertThat(rs.getBoolean(2)).as("may create roles").isFalse();
            assertThat(rs.getBoolean(3)).as("may create databases").isFalse();
            assertThat(rs.getBoolean(4)).as("bypasses row security").isFalse();
            assertThat(rs.getBoolean(5)).as("member of marketplace_reader").isTrue();
            assertThat(rs.getBoolean(6)).as("member of marketplace_writer").isFalse();
            assertThat(rs.getLong(7)).as("tables it owns").isZero();
        }
    }

    @Test
    void everyWriteToEveryCatalogTableIsRefusedEvenAfterTheSessionIsMadeReadWrite() throws SQLException {
        Map<String, String> tables = catalogTables();
        assertThat(tables).containsKeys("marketplace_catalog_rows", "marketplace_registries",
                "marketplace_catalog_state", "marketplace_tag_counts", "marketplace_catalog_sources");
        List<String> writes = new ArrayList<>();
        tables.forEach((table, column) -> {
            writes.add("INSERT INTO " + table + " DEFAULT VALUES");
            writes.add("UPDATE " + table + " SET " + column + " = " + column);
            writes.add("DELETE FROM " + table);
            writes.add("TRUNCATE " + table + " CASCADE");
        });
        for (String write : writes) {
            // as the service's connections are: the read-only session refuses it
            try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
                assertRefused(st, write, READ_ONLY_TRANSACTION);
            }
            // code that switched its session back to read-write meets the privilege check
            Connection c = pool.getConnection();
            try (Statement st = c.createStatement()) {
                st.execute("COMMIT; SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE");
                try (ResultSet rs = st.executeQuery("SHOW transaction_read_only")) {
                    rs.next();
                    assertThat(rs.getString(1)).as("the session is read-write now").isEqualTo("off");
                }
                assertRefused(st, write, INSUFFICIENT_PRIVILEGE);
            } finally {
                // never hand a read-write session back to the service: closed, not returned
                ((HikariDataSource) pool).evictConnection(c);
                c.close();
            }
        }
        assertThat(sql("SELECT count(*) FROM marketplace_catalog_state")).as("the state row is still there")
                .isEqualTo(1L);
    }

    /**
     * The main pool writes nothing, not even the schema its login may write: accounts, tokens, sessions
     * and rebuild control all go through the control pool.
     */
    @Test
    void theMainPoolIsReadOnlyAtTheServerForTheControlSchemaToo() throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SHOW default_transaction_read_only")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("on");
            }
            for (String write : List.of(
                    "INSERT INTO marketplace_control.users (email, password_hash, role, created_by) "
                            + "VALUES ('main-pool@example.org', '{noop}x', 'viewer', 'test')",
                    "UPDATE marketplace_control.api_tokens SET last_used_at = now()",
                    "DELETE FROM marketplace_control.spring_session",
                    "INSERT INTO marketplace_control.schedule_ticks (task, tick_at, claimed_by) VALUES ('t', now(), 't')",
                    "DELETE FROM marketplace_control.rebuild_requests")) {
                assertRefused(st, write, READ_ONLY_TRANSACTION);
            }
        }
        try (Connection c = controlPool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW transaction_read_only")) {
            rs.next();
            assertThat(rs.getString(1)).as("the control pool writes").isEqualTo("off");
        }
    }

    /** The writable pool of marketplace_control: its tables, nothing of the catalog, no DDL. */
    @Test
    void theControlPoolWritesTheControlSchemaOnly() throws SQLException {
        assertThat(control.jdbc().sql("""
                INSERT INTO marketplace_control.schedule_ticks (task, tick_at, claimed_by) VALUES ('role-test', now(), 'test')
                """).update()).isEqualTo(1);
        assertThat(control.jdbc().sql("DELETE FROM marketplace_control.schedule_ticks WHERE task = 'role-test'").update())
                .isEqualTo(1);
        List<String> refused = new ArrayList<>();
        for (String table : catalogTables().keySet()) {
            refused.add("DELETE FROM " + table);
            refused.add("INSERT INTO " + table + " DEFAULT VALUES");
        }
        // inserted and deleted only (V17 takes back what V13's default privileges on the schema granted)
        refused.add("UPDATE marketplace_control.rebuild_requests SET reason = reason");
        refused.add("UPDATE marketplace_control.schedule_ticks SET claimed_by = claimed_by");
        refused.add("TRUNCATE marketplace_control.rebuild_requests");
        refused.add("CREATE TABLE marketplace_control.intruder (a int)");
        refused.add("DROP TABLE marketplace_control.rebuild_requests");
        for (String write : refused) {
            try {
                control.jdbc().sql(write).update();
                fail("not refused: " + write);
            } catch (org.springframework.dao.DataAccessException e) {
                assertThat(((SQLException) e.getMostSpecificCause()).getSQLState()).as(write).isEqualTo(INSUFFICIENT_PRIVILEGE);
            }
        }
    }

    @Test
    void theControlPoolWritesItsSchemaButMayNotChangeIt() throws SQLException {
        Connection c = controlPool.getConnection();
        try (Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            for (String table : controlTables()) {
                st.execute("DELETE FROM marketplace_control." + table + " WHERE false");
            }
            st.execute("INSERT INTO marketplace_control.users (email, password_hash, role, created_by) "
                    + "VALUES ('role-test@example.org', '{noop}x', 'viewer', 'test')");
            st.execute("UPDATE marketplace_control.users SET disabled = true WHERE email = 'role-test@example.org'");
            st.execute("DELETE FROM marketplace_control.users WHERE email = 'role-test@example.org'");
            c.rollback();
            for (String ddl : List.of("CREATE TABLE marketplace_control.intruder (id int)",
                    "DROP TABLE marketplace_control.users", "ALTER TABLE marketplace_control.api_tokens ADD COLUMN x int",
                    "TRUNCATE marketplace_control.users CASCADE", "CREATE TABLE public.intruder (id int)")) {
                st.execute("SAVEPOINT s");
                assertRefused(st, ddl, INSUFFICIENT_PRIVILEGE, "42501");
                st.execute("ROLLBACK TO SAVEPOINT s");
            }
        } finally {
            c.rollback();
            c.setAutoCommit(true);
            ((HikariDataSource) controlPool).evictConnection(c);
        }
    }

    /**
     * Password and token hashes and sessions are the api-service's alone: the worker's and the index
     * readers' groups (scripts/index-sync reads as one) may neither read nor write any of it.
     */
    @Test
    void noOtherRoleOfTheIndexMayTouchTheControlSchema() throws SQLException {
        List<String> tables = controlTables();
        assertThat(tables).contains("users", "api_tokens", "spring_session", "spring_session_attributes");
        for (String role : List.of("marketplace_reader", "marketplace_writer", TestServices.workerLogin().user())) {
            assertThat(sql("SELECT has_schema_privilege(?, 'marketplace_control', 'USAGE')", role)).as(role)
                    .isEqualTo(false);
            for (String table : tables) {
                assertThat(sql("SELECT has_table_privilege(?, ?, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')", role,
                        "marketplace_control." + table)).as("%s on %s", role, table).isEqualTo(false);
            }
        }
        assertThat(sql("SELECT has_schema_privilege('marketplace_api', 'marketplace_control', 'CREATE')")).isEqualTo(false);
    }

    @Test
    void noOtherRoleCanBeTakenOn() throws SQLException {
        for (String escape : List.of("SET ROLE marketplace_writer", "SET ROLE " + superuser(),
                "SET SESSION AUTHORIZATION " + superuser())) {
            Connection c = pool.getConnection();
            try (Statement st = c.createStatement()) {
                assertRefused(st, escape, INSUFFICIENT_PRIVILEGE);
            } finally {
                ((HikariDataSource) pool).evictConnection(c);
                c.close();
            }
        }
    }

    @Test
    void everyCatalogTableCanStillBeRead() throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            for (String table : catalogTables().keySet()) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                    assertThat(rs.next()).as(table).isTrue();
                }
            }
        }
        assertThat(get("/api/marketplace?limit=1").status()).isEqualTo(200);
        assertThat(get("/api/settings/registries", admin()).status()).isEqualTo(200);
    }

    /**
     * Every table of the index with its first column, from the system catalog (which every role may
     * read, unlike information_schema), so that a table added later is covered, granted or not.
     */
    private Map<String, String> catalogTables() throws SQLException {
        Map<String, String> tables = new LinkedHashMap<>();
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT c.relname, a.attname
                     FROM pg_class c
                     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = 1
                     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
                       AND c.relname LIKE 'marketplace\\_%'
                     ORDER BY c.relname""")) {
            while (rs.next()) {
                tables.put(rs.getString(1), rs.getString(2));
            }
        }
        return tables;
    }

    private static List<String> controlTables() {
        List<String> tables = new ArrayList<>();
        try (Connection c = java.sql.DriverManager.getConnection(DATABASE, TestServices.postgresUser(),
                TestServices.postgresPassword()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'marketplace_control' "
                     + "ORDER BY tablename")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return tables;
    }

    private static String superuser() {
        return (String) sql("SELECT rolname FROM pg_roles WHERE rolsuper ORDER BY oid LIMIT 1");
    }

    private static void assertRefused(Statement st, String statement, String... sqlStates) {
        try {
            st.execute(statement);
        } catch (SQLException e) {
            assertThat(e.getSQLState()).as("%s: %s", statement, e.getMessage()).isIn((Object[]) sqlStates);
            return;
        }
        fail("not refused: " + statement);
    }
}
