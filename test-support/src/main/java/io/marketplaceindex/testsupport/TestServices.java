package io.marketplaceindex.testsupport;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.flywaydb.core.Flyway;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real services the tests talk to, located through the same environment keys the
 * applications use, or run in containers where Docker answers and a key is unset
 * ({@link ServiceSelection}). The test command (scripts/test) makes sure they run; a test that finds
 * one missing fails with a message saying how to start it, never skips.
 */
public final class TestServices {

    private TestServices() {
    }

    /** Decides, once for the JVM, where each service comes from: the environment, a container or the default. */
    private static final ServiceSelection SELECTION = new ServiceSelection(System::getenv,
            ServiceContainers::dockerAnswers);

    public static String postgresHostUrl() {
        return SELECTION.address(ServiceSelection.POSTGRES_URL, ServiceContainers::postgresHostUrl);
    }

    public static String postgresUser() {
        return postgresInContainer() ? "postgres" : env("SPRING_DATASOURCE_USERNAME", "postgres");
    }

    public static String postgresPassword() {
        return postgresInContainer() ? ServiceContainers.POSTGRES_PASSWORD : env("SPRING_DATASOURCE_PASSWORD", "");
    }

    private static boolean postgresInContainer() {
        return SELECTION.source(ServiceSelection.POSTGRES_URL) == ServiceSelection.Source.CONTAINER;
    }

    public static String redisUrl() {
        return SELECTION.address(ServiceSelection.REDIS_URL, ServiceContainers::redisUrl);
    }

    public static String kafkaBootstrap() {
        return SELECTION.address(ServiceSelection.KAFKA_BOOTSTRAP, ServiceContainers::kafkaBootstrap);
    }

    /**
     * A consumer of a topic from its first record, in a consumer group of its own: a test reads what
     * was published without taking records from anyone. Close it when done.
     */
    public static KafkaConsumer<String, byte[]> topicReader(String topic) {
        var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /**
     * A fresh database with the current schema, dropped first if a previous run left it. The name
     * includes a hash of the working directory, so that checkouts side by side on one machine
     * never drop each other's database mid-run.
     *
     * @return its JDBC URL
     */
    public static String freshDatabase(String name) {
        return freshDatabase(postgresHostUrl(), name);
    }

    /** {@link #freshDatabase(String)} on another server (a test's own), given as {@code jdbc:postgresql://host:port/}. */
    public static String freshDatabase(String hostUrl, String name) {
        String url = emptyDatabase(hostUrl, name);
        Flyway.configure().dataSource(url, postgresUser(), postgresPassword()).load().migrate();
        return url;
    }

    /**
     * A fresh database with the schema as it was at a migration version, for a test of the migrations
     * after it (drop it with {@link #dropDatabase(String)}).
     *
     * @return its JDBC URL
     */
    public static String databaseAtVersion(String name, String version) {
        String url = emptyDatabase(postgresHostUrl(), name + "_" + UUID.randomUUID().toString().substring(0, 8));
        Flyway.configure().dataSource(url, postgresUser(), postgresPassword()).target(version).load().migrate();
        return url;
    }

    private static String emptyDatabase(String hostUrl, String name) {
        String workingDirectory = System.getProperty("user.dir");
        String checkout = Integer.toHexString(workingDirectory.hashCode());
        String db = ("mi_test_" + name + "_" + checkout).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        try (Connection admin = DriverManager.getConnection(hostUrl + "postgres", postgresUser(),
                postgresPassword()); Statement st = admin.createStatement()) {
            dropDatabasesOfRemovedCheckouts(admin);
            st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + db);
            st.execute("COMMENT ON DATABASE " + db + " IS '" + OWNER_MARK
                    + (host() + ":" + workingDirectory).replace("'", "''") + "'");
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL is not reachable at " + hostUrl
                    + " as " + postgresUser() + ": " + e.getMessage(), e);
        }
        return hostUrl + db;
    }

    /** Prefix of the comment on every test database: the host and directory of the run that made it. */
    static final String OWNER_MARK = "test database of ";

    /**
     * A checkout's databases outlive its test runs (a failed run can be looked into), and each clone
     * that a CI machine makes and deletes would leave its own behind for good. So a run drops the test
     * databases whose comment names a directory of this host that no longer exists; databases of other
     * hosts on a shared server, and of checkouts still present, are left alone.
     */
    private static void dropDatabasesOfRemovedCheckouts(Connection admin) throws SQLException {
        String host = host();
        if (host.isEmpty()) {
            return;
        }
        List<String> orphans = new ArrayList<>();
        try (PreparedStatement q = admin.prepareStatement("""
                SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database
                WHERE starts_with(datname, 'mi_test_') AND starts_with(shobj_description(oid, 'pg_database'), ?)""")) {
            q.setString(1, OWNER_MARK + host + ":");
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    String directory = rs.getString(2).substring(OWNER_MARK.length() + host.length() + 1);
                    if (!Files.isDirectory(Path.of(directory))) {
                        orphans.add(rs.getString(1));
                    }
                }
            }
        }
        try (Statement st = admin.createStatement()) {
            for (String db : orphans) {
                st.execute("DROP DATABASE IF EXISTS \"" + db + "\" WITH (FORCE)");
            }
        }
    }

    /** This machine's name, or empty when it has none to give (then nothing is cleaned up). */
    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "";
        }
    }

    /**
     * A fresh database of its own for one run: {@link #freshDatabase(String)} with a random suffix,
     * so that runs of the same suite from several checkouts on one server never share (or drop) a
     * database. Drop it with {@link #dropDatabase(String)} when done.
     */
    public static String uniqueDatabase(String name) {
        return uniqueDatabase(postgresHostUrl(), name);
    }

    /** {@link #uniqueDatabase(String)} on another server, given as {@code jdbc:postgresql://host:port/}. */
    public static String uniqueDatabase(String hostUrl, String name) {
        return freshDatabase(hostUrl, name + "_" + UUID.randomUUID().toString().substring(0, 8));
    }

    /** Drops the database of a JDBC URL returned by {@link #freshDatabase(String)}, closing its connections. */
    public static void dropDatabase(String jdbcUrl) {
        String db = jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1);
        if (!db.matches("mi_test_[a-z0-9_]+")) {
            throw new IllegalArgumentException("not a test database: " + db);
        }
        // on the server that holds it, which need not be the shared one
        String hostUrl = jdbcUrl.substring(0, jdbcUrl.lastIndexOf('/') + 1);
        try (Connection admin = DriverManager.getConnection(hostUrl + "postgres", postgresUser(),
                postgresPassword()); Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop " + db + ": " + e.getMessage(), e);
        }
    }

    /**
     * Credentials of a role the tests log in as.
     *
     * @param user     the role's name
     * @param password its password (the administrator's, so that a server with password authentication
     *                 needs no second secret; empty under trust authentication)
     */
    public record Login(String user, String password) {
    }

    /**
     * The login a test of the api-service connects as: a member of {@code marketplace_reader}, as the
     * deployment's {@code marketplace_api} is, and of {@code marketplace_api} itself, which alone may write
     * the {@code marketplace_control} schema. Created on first use, shared by every checkout on the server.
     * Call it after {@link #freshDatabase(String)}: the migrations create the groups.
     */
    public static Login apiLogin() {
        return login("mi_test_api", "marketplace_reader", "marketplace_api");
    }

    /** The same for the indexer-worker's pool: a member of {@code marketplace_writer}, as {@code marketplace_worker} is. */
    public static Login workerLogin() {
        return login("mi_test_worker", "marketplace_writer");
    }

    /**
     * Roles belong to the server, so suites of several checkouts may ask for the same one at once: they
     * take turns on an advisory lock of the maintenance database, which they all connect to.
     */
    private static Login login(String user, String... groups) {
        try (Connection admin = DriverManager.getConnection(postgresHostUrl() + "postgres", postgresUser(),
                postgresPassword())) {
            admin.setAutoCommit(false);
            try (Statement st = admin.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(hashtext('mi_test_logins'))");
                for (String group : groups) {
                    if (!exists(admin, "SELECT 1 FROM pg_roles WHERE rolname = ?", group)) {
                        throw new IllegalStateException("role " + group + " does not exist: the migrations create it "
                                + "when the role that runs them (" + postgresUser() + ") may create roles");
                    }
                }
                if (!exists(admin, "SELECT 1 FROM pg_roles WHERE rolname = ?", user)) {
                    String password = postgresPassword().isEmpty() ? ""
                            : " PASSWORD '" + postgresPassword().replace("'", "''") + "'";
                    st.execute("CREATE ROLE " + user + " LOGIN" + password);
                }
                for (String group : groups) {
                    if (!exists(admin, "SELECT 1 FROM pg_auth_members WHERE roleid = ?::regrole AND member = ?::regrole",
                            group, user)) {
                        st.execute("GRANT " + group + " TO " + user);
                    }
                }
            }
            admin.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the test login " + user + " as " + postgresUser()
                    + ": " + e.getMessage(), e);
        }
        return new Login(user, postgresPassword());
    }

    private static boolean exists(Connection connection, String query, String... params) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(query)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * A fresh registry-token encryption key, {@code <keyId>:<base64 of 32 random bytes>}, the form
     * MARKETPLACE_TOKEN_ENCRYPTION_KEY takes.
     */
    public static String newTokenKey(String keyId) {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return keyId + ":" + java.util.Base64.getEncoder().encodeToString(key);
    }

    /** Topic prefix that keeps one suite's topics apart from another's on a shared broker. */
    public static String uniqueTopicPrefix() {
        return "t" + UUID.randomUUID().toString().substring(0, 8) + ".";
    }

    /** Fails fast, with the way out, when no broker answers. */
    public static void requireKafka() {
        requireKafka(kafkaBootstrap());
    }

    /** {@link #requireKafka()} for a broker at the given address (a test's own). */
    public static void requireKafka(String bootstrap) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 8000))) {
            admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("No Kafka broker answers at " + bootstrap
                    + " (start one with scripts/kafka/broker start, or run the suite with scripts/test)", e);
        }
    }

    private static String env(String key, String fallback) {
        String value = System.getenv(key);
        return value == null || value.isBlank() ? fallback : value;
    }
}
