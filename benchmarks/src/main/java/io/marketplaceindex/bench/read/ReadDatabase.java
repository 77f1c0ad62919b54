package io.marketplaceindex.bench.read;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Connection details of the read benchmark's own database, dropped and created for a run. */
record ReadDatabase(String hostUrl, String name, String user, String password) {

    String url() {
        return hostUrl + name;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), user, password);
    }

    void recreate() throws SQLException {
        try (Connection admin = DriverManager.getConnection(hostUrl + "postgres", user, password);
             Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
        }
    }

    void drop() throws SQLException {
        try (Connection admin = DriverManager.getConnection(hostUrl + "postgres", user, password);
             Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    boolean exists() throws SQLException {
        try (Connection admin = DriverManager.getConnection(hostUrl + "postgres", user, password);
             PreparedStatement ps = admin.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
