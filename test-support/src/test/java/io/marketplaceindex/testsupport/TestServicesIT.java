package io.marketplaceindex.testsupport;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class TestServicesIT {

    @Test
    void aFreshDatabaseDropsTheTestDatabasesOfRemovedCheckoutsOnThisHostOnly() throws Exception {
        String host = InetAddress.getLocalHost().getHostName();
        Path removed = Files.createTempDirectory("checkout");
        Files.delete(removed);
        Path present = Files.createTempDirectory("checkout");
        String run = UUID.randomUUID().toString().substring(0, 8);
        String ofRemoved = "mi_test_removed_" + run;
        String ofPresent = "mi_test_present_" + run;
        String ofOtherHost = "mi_test_other_host_" + run;
        String fresh = null;
        try {
            create(ofRemoved, TestServices.OWNER_MARK + host + ":" + removed);
            create(ofPresent, TestServices.OWNER_MARK + host + ":" + present);
            create(ofOtherHost, TestServices.OWNER_MARK + "not-" + host + ":" + removed);

            fresh = TestServices.freshDatabase("cleanup_" + run);

            assertThat(exists(ofRemoved)).isFalse();
            assertThat(exists(ofPresent)).isTrue();
            assertThat(exists(ofOtherHost)).isTrue();
            assertThat(exists(fresh.substring(fresh.lastIndexOf('/') + 1))).isTrue();
        } finally {
            for (String db : List.of(ofRemoved, ofPresent, ofOtherHost)) {
                TestServices.dropDatabase(TestServices.postgresHostUrl() + db);
            }
            if (fresh != null) {
                TestServices.dropDatabase(fresh);
            }
            Files.deleteIfExists(present);
        }
    }

    private static void create(String db, String comment) throws SQLException {
        try (Connection admin = admin(); Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + db);
            st.execute("COMMENT ON DATABASE " + db + " IS '" + comment.replace("'", "''") + "'");
        }
    }

    private static boolean exists(String db) throws SQLException {
        try (Connection admin = admin();
             PreparedStatement q = admin.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            q.setString(1, db);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Connection admin() throws SQLException {
        return DriverManager.getConnection(TestServices.postgresHostUrl() + "postgres", TestServices.postgresUser(),
                TestServices.postgresPassword());
    }
}
