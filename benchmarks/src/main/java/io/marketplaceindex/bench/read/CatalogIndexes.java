package io.marketplaceindex.bench.read;

import io.marketplaceindex.bench.support.Log;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The catalog's indexes and constraints around a bulk load: dropped before the COPY, rebuilt after it
 * from their own definitions (read from the catalog before they were dropped, so the benchmark always
 * measures the schema the migrations create).
 */
final class CatalogIndexes {

    private CatalogIndexes() {
    }

    /**
     * Drops the foreign keys that involve the rows table, its primary key and its secondary indexes.
     *
     * @return the statements that put them back: CREATE INDEX first (the primary key's index among
     *         them), then ALTER TABLE for the primary key and the foreign keys
     */
    static List<String> dropAll(Connection c) throws SQLException {
        List<String> creates = new ArrayList<>();
        List<String> alters = new ArrayList<>();
        List<String> drops = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("""
                    SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid)
                    FROM pg_constraint
                    WHERE contype = 'f' AND (conrelid = 'marketplace_catalog_rows'::regclass
                                             OR confrelid = 'marketplace_catalog_rows'::regclass)
                    ORDER BY conname""")) {
                while (rs.next()) {
                    alters.add("ALTER TABLE " + rs.getString(2) + " ADD CONSTRAINT " + rs.getString(1) + " "
                            + rs.getString(3));
                    drops.add("ALTER TABLE " + rs.getString(2) + " DROP CONSTRAINT " + rs.getString(1));
                }
            }
            try (ResultSet rs = st.executeQuery("""
                    SELECT conname, pg_get_indexdef(conindid)
                    FROM pg_constraint WHERE contype = 'p' AND conrelid = 'marketplace_catalog_rows'::regclass""")) {
                while (rs.next()) {
                    creates.add(rs.getString(2));
                    // the primary key first among the ALTERs: the foreign keys that reference it need it
                    alters.add(0, "ALTER TABLE " + BulkLoader.ROWS + " ADD CONSTRAINT " + rs.getString(1)
                            + " PRIMARY KEY USING INDEX " + rs.getString(1));
                    drops.add("ALTER TABLE " + BulkLoader.ROWS + " DROP CONSTRAINT " + rs.getString(1));
                }
            }
            try (ResultSet rs = st.executeQuery("""
                    SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid)
                    FROM pg_index i
                    WHERE indrelid = 'marketplace_catalog_rows'::regclass
                      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                    ORDER BY 1""")) {
                while (rs.next()) {
                    creates.add(rs.getString(2));
                    drops.add("DROP INDEX " + rs.getString(1));
                }
            }
            for (String drop : drops) {
                st.execute(drop);
            }
        }
        Log.info("dropped %d indexes and constraints for the load", drops.size());
        List<String> all = new ArrayList<>(creates);
        all.addAll(alters);
        return all;
    }

    /** CREATE INDEX statements, longest first, on {@code indexThreads} connections at once. */
    static Map<String, Double> build(ReadDatabase db, List<String> statements, int indexThreads,
                                     String maintenanceWorkMem) throws Exception {
        List<String> creates = new ArrayList<>(statements.stream().filter(s -> s.startsWith("CREATE")).toList());
        // the trigram GIN index takes longest: start it first so the others overlap with it
        creates.sort((a, b) -> Integer.compare(weight(b), weight(a)));
        Map<String, Double> seconds = new TreeMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(indexThreads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (String create : creates) {
                futures.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    try (Connection c = db.connect(); Statement st = c.createStatement()) {
                        st.execute("SET maintenance_work_mem = '" + maintenanceWorkMem + "'");
                        // the index builds already run side by side; parallel workers would only compete
                        if (indexThreads > 1) {
                            st.execute("SET max_parallel_maintenance_workers = 0");
                        }
                        st.execute(create);
                    }
                    double s = BulkLoader.seconds(t0);
                    String name = create.replaceFirst("^CREATE (UNIQUE )?INDEX (\\S+) .*$", "$2");
                    synchronized (seconds) {
                        seconds.put(name, s);
                    }
                    Log.info("  %.1f s  %s", s, create);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        return seconds;
    }

    private static int weight(String create) {
        if (create.contains("gin_trgm_ops")) {
            return 3;
        }
        return create.contains("USING gin") ? 2 : 1;
    }
}
