package io.marketplaceindex.bench.read;

import io.marketplaceindex.bench.support.Log;
import io.marketplaceindex.search.SearchWordsRefresh;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fills a dedicated database with the real schema (Flyway, the migrations of {@code common}) and N
 * generated agents: secondary indexes, the primary key and the foreign keys are dropped, rows are
 * streamed with {@code COPY ... FROM STDIN (FORMAT csv)} from several connections at once, then the
 * indexes and constraints are rebuilt from their own definitions (read from the catalog before they
 * were dropped, so the benchmark always measures the schema the migrations create), the side tables
 * the worker maintains (sort=relevance's dictionary among them) are filled, and the tables are vacuumed
 * and analyzed.
 */
final class BulkLoader {

    static final String ROWS = "marketplace_catalog_rows";
    /** The catalog's keys in name order: V23's trigger keeps it with the rows, off while the load copies. */
    static final String NAME_ORDER = "marketplace_catalog_name_order";

    /** What a load did and how long each phase took. */
    record Result(long rows, int registries, int distinctTags, double copySeconds, double indexSeconds,
                  double constraintSeconds, double vacuumSeconds, double totalSeconds, int threads,
                  int indexThreads, String maintenanceWorkMem, long tableBytes, long indexBytes, long databaseBytes,
                  Map<String, Long> indexSizes, Map<String, Double> indexBuildSeconds) {

        double copyRowsPerSecond() {
            return rows / copySeconds;
        }

        double totalRowsPerSecond() {
            return rows / totalSeconds;
        }
    }

    private final ReadDatabase db;
    private final long seed;
    private final int threads;
    private final int indexThreads;
    private final String maintenanceWorkMem;

    BulkLoader(ReadDatabase db, long seed, int threads, int indexThreads, String maintenanceWorkMem) {
        this.db = db;
        this.seed = seed;
        this.threads = threads;
        this.indexThreads = indexThreads;
        this.maintenanceWorkMem = maintenanceWorkMem;
    }

    Result load(long rows, int registryCount) throws Exception {
        long started = System.nanoTime();
        db.recreate();
        migrate(db);

        List<AgentFactory.Registry> registries = AgentFactory.registries(seed, registryCount, rows);
        List<String> rebuild;
        try (Connection c = db.connect()) {
            rebuild = CatalogIndexes.dropAll(c);
            // the name order's trigger would write a row per row copied: the table is filled once below
            try (Statement st = c.createStatement()) {
                st.execute("ALTER TABLE " + ROWS + " DISABLE TRIGGER USER");
            }
            insertRegistries(c, registries);
        }

        long copyStart = System.nanoTime();
        Map<String, Long> tagCounts = copyRows(registries);
        double copySeconds = seconds(copyStart);
        Log.info("COPY: %,d rows in %.1f s (%,.0f rows/s)", rows, copySeconds, rows / copySeconds);

        long indexStart = System.nanoTime();
        Map<String, Double> buildSeconds = CatalogIndexes.build(db, rebuild, indexThreads, maintenanceWorkMem);
        double indexSeconds = seconds(indexStart);
        Log.info("indexes rebuilt in %.1f s", indexSeconds);

        long constraintStart = System.nanoTime();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (String sql : rebuild) {
                if (sql.startsWith("ALTER TABLE")) {
                    Log.info("  %s", sql);
                    st.execute(sql);
                }
            }
            fillSideTables(c, registries, tagCounts);
        }
        double constraintSeconds = seconds(constraintStart);

        double vacuumSeconds = vacuum();
        Sizes sizes = sizes();
        return new Result(rows, registries.size(), tagCounts.size(), copySeconds, indexSeconds, constraintSeconds,
                vacuumSeconds, seconds(started), threads, indexThreads, maintenanceWorkMem, sizes.tableBytes(),
                sizes.indexBytes(), sizes.databaseBytes(), sizes.indexSizes(), buildSeconds);
    }

    /**
     * Brings the database to the current schema: a new one, or one reused from an earlier load, whose
     * migrations since then fill what they add; the name order's table is then vacuumed, as a load's is,
     * so that its index-only scans need no table reads.
     */
    static void migrate(ReadDatabase db) throws SQLException {
        int applied = Flyway.configure().dataSource(db.url(), db.user(), db.password()).load().migrate()
                .migrationsExecuted;
        Log.info("schema migrated (Flyway) in %s: %d migrations applied", db.name(), applied);
        if (applied > 0) {
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("VACUUM (ANALYZE) " + NAME_ORDER);
            }
        }
    }

    private double vacuum() throws SQLException {
        long vacuumStart = System.nanoTime();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("VACUUM (ANALYZE) " + ROWS);
            st.execute("VACUUM (ANALYZE) marketplace_registries");
            st.execute("VACUUM (ANALYZE) marketplace_tag_counts");
            st.execute("VACUUM (ANALYZE) marketplace_search_words");
            st.execute("VACUUM (ANALYZE) " + NAME_ORDER);
        }
        double vacuumSeconds = seconds(vacuumStart);
        Log.info("VACUUM ANALYZE in %.1f s", vacuumSeconds);
        return vacuumSeconds;
    }

    /** On-disk sizes after the load. */
    private record Sizes(long tableBytes, long indexBytes, long databaseBytes, Map<String, Long> indexSizes) {
    }

    private Sizes sizes() throws SQLException {
        Map<String, Long> indexSizes = new LinkedHashMap<>();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("""
                    SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index
                    WHERE indrelid = 'marketplace_catalog_rows'::regclass ORDER BY 1""")) {
                while (rs.next()) {
                    indexSizes.put(rs.getString(1), rs.getLong(2));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT pg_table_size('" + ROWS + "'), pg_indexes_size('" + ROWS
                    + "'), pg_database_size(current_database())")) {
                rs.next();
                return new Sizes(rs.getLong(1), rs.getLong(2), rs.getLong(3), indexSizes);
            }
        }
    }

    private static void insertRegistries(Connection c, List<AgentFactory.Registry> registries) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO marketplace_registries (id, name, url, sync_status, last_sync_status, last_attempt_at,
                    last_finished_at, last_success_at, last_success_started_at, last_duration_ms, record_count)
                VALUES (?, ?, ?, 'ok', 'ok', now(), now(), now(), now(), ?, 0)""")) {
            for (AgentFactory.Registry r : registries) {
                ps.setObject(1, r.id());
                ps.setString(2, r.name());
                ps.setString(3, r.url());
                ps.setLong(4, 200 + r.size() / 50);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private record Chunk(AgentFactory.Registry registry, int from, int to) {
    }

    /** @return rows per tag over everything loaded */
    private Map<String, Long> copyRows(List<AgentFactory.Registry> registries) throws Exception {
        int chunkRows = 50_000;
        List<Chunk> chunks = new ArrayList<>();
        for (AgentFactory.Registry r : registries) {
            for (int from = 0; from < r.size(); from += chunkRows) {
                chunks.add(new Chunk(r, from, Math.min(r.size(), from + chunkRows)));
            }
        }
        long total = registries.stream().mapToLong(AgentFactory.Registry::size).sum();
        AgentFactory factory = new AgentFactory(seed);
        Map<String, Long> tagCounts = new ConcurrentHashMap<>();
        AtomicLong done = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        ThreadLocal<Connection> connections = new ThreadLocal<>();
        List<Connection> opened = java.util.Collections.synchronizedList(new ArrayList<>());
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
        long start = System.nanoTime();
        progress.scheduleAtFixedRate(() -> Log.info("  COPY %,d / %,d rows (%,.0f rows/s)", done.get(), total,
                done.get() / Math.max(1e-9, seconds(start))), 15, 15, TimeUnit.SECONDS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Chunk chunk : chunks) {
                futures.add(pool.submit(() -> {
                    Connection c = connections.get();
                    if (c == null) {
                        c = db.connect();
                        try (Statement st = c.createStatement()) {
                            st.execute("SET synchronous_commit = off");
                        }
                        // each chunk commits on its own: its rows carry its transaction id (copyChunk)
                        c.setAutoCommit(false);
                        connections.set(c);
                        opened.add(c);
                    }
                    Map<String, Long> local = copyChunk(c, factory, chunk);
                    local.forEach((tag, n) -> tagCounts.merge(tag, n, Long::sum));
                    done.addAndGet(chunk.to() - chunk.from());
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            progress.shutdownNow();
            pool.shutdown();
            pool.awaitTermination(1, TimeUnit.MINUTES);
            for (Connection c : opened) {
                c.close();
            }
        }
        return tagCounts;
    }

    private static Map<String, Long> copyChunk(Connection c, AgentFactory factory, Chunk chunk) throws SQLException {
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        // Rows carry the change stamp of the transaction that wrote them, as a worker commit's do.
        String changeXid;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_xact_id()::text::bigint")) {
            rs.next();
            changeXid = Long.toString(rs.getLong(1));
        }
        CopyIn in = copy.copyIn("COPY " + ROWS + " (registry_id, handle, agent, change_xid, sort_name, search_text, "
                + "tags, content_hash, proof_status, search_grams) FROM STDIN WITH (FORMAT csv)");
        Map<String, Long> tagCounts = new HashMap<>();
        StringBuilder sb = new StringBuilder(1 << 21);
        String registryId = chunk.registry().id().toString();
        HexFormat hex = HexFormat.of();
        try {
            for (int i = chunk.from(); i < chunk.to(); i++) {
                AgentFactory.Row row = factory.row(chunk.registry(), i);
                sb.append(registryId).append(',');
                csv(sb, row.handle()).append(',');
                csv(sb, row.agentJson()).append(',');
                sb.append(changeXid).append(',');
                csv(sb, row.fields().sortName()).append(',');
                csv(sb, row.fields().searchText()).append(',');
                csv(sb, arrayLiteral(row.fields().tags())).append(',');
                sb.append("\\x").append(hex.formatHex(row.fields().contentHash())).append(',');
                csv(sb, row.fields().proofStatus()).append(',');
                // an unquoted empty field is NULL in CSV: a row over the grams' budget, as the worker writes it
                List<String> grams = row.fields().searchGrams();
                if (grams != null) {
                    csv(sb, arrayLiteral(grams));
                }
                sb.append('\n');
                for (String tag : row.fields().tags()) {
                    tagCounts.merge(tag, 1L, Long::sum);
                }
                if (sb.length() > (1 << 20)) {
                    byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
                    in.writeToCopy(bytes, 0, bytes.length);
                    sb.setLength(0);
                }
            }
            byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
            in.writeToCopy(bytes, 0, bytes.length);
            in.endCopy();
            c.commit();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
        return tagCounts;
    }

    private static StringBuilder csv(StringBuilder sb, String value) {
        sb.append('"');
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '"') {
                sb.append('"');
            }
            sb.append(ch);
        }
        return sb.append('"');
    }

    /** A PostgreSQL array literal: every element quoted, quotes and backslashes escaped. */
    private static String arrayLiteral(List<String> values) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('"').append(values.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return sb.append('}').toString();
    }

    private static void fillSideTables(Connection c, List<AgentFactory.Registry> registries,
                                       Map<String, Long> tagCounts) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE marketplace_registries SET record_count = ? WHERE id = ?")) {
            for (AgentFactory.Registry r : registries) {
                ps.setInt(1, r.size());
                ps.setObject(2, r.id());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO marketplace_tag_counts (tag, agent_count) VALUES (?, ?)")) {
            for (Map.Entry<String, Long> e : new TreeMap<>(tagCounts).entrySet()) {
                ps.setString(1, e.getKey());
                ps.setLong(2, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        fillDictionary(c);
        try (Statement st = c.createStatement()) {
            st.execute("INSERT INTO " + NAME_ORDER + " (sort_name, handle, registry_id)"
                    + " SELECT sort_name, handle, registry_id FROM " + ROWS + " ORDER BY sort_name, handle, registry_id");
            st.execute("ALTER TABLE " + ROWS + " ENABLE TRIGGER USER");
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE marketplace_catalog_state SET generation = ?, built_at = ? WHERE id = 1")) {
            ps.setLong(1, registries.size());
            ps.setObject(2, java.sql.Timestamp.from(Instant.now()));
            ps.executeUpdate();
        }
        // the counters must agree with the rows, as the worker's do: checked, not assumed
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT (SELECT count(*) FROM marketplace_catalog_rows),
                       (SELECT sum(record_count) FROM marketplace_registries)""")) {
            rs.next();
            if (rs.getLong(1) != rs.getLong(2)) {
                throw new IllegalStateException("rows " + rs.getLong(1) + " but record_count sum " + rs.getLong(2));
            }
        }
    }

    /**
     * sort=relevance's dictionary (marketplace_search_words), as the worker's scheduled refresh builds it:
     * V20 filled it while the table was still empty.
     */
    static void fillDictionary(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : SearchWordsRefresh.STATEMENTS) {
                st.execute(sql);
            }
        }
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
