package io.marketplaceindex.bench.indexer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What marketplace_catalog_rows takes on disk at one moment: its table, TOAST and each index, and the
 * search columns' share of the table, so that a report can say what an agent costs in storage and what
 * of it the search structures are (the issue asked for the index's size per written agent). The key
 * table the rows' trigger keeps (V23, marketplace_catalog_name_order) is written with every row, so it
 * is part of an agent's cost: its table and indexes are listed after the rows'.
 *
 * @param rows      rows of the table at that moment: the per-agent figures divide by it
 * @param relations the table, its TOAST, both with the maps (pg_table_size); bytes
 * @param indexes   each index of the table by name, bytes
 * @param keys      the key table (pg_table_size) and each of its indexes by name, bytes; empty when the
 *                  schema has none
 * @param total     all of it with the indexes (pg_total_relation_size of both tables), bytes
 * @param columns   summed pg_column_size of each search column, stored in the table or its TOAST
 */
record CatalogSizes(long rows, Map<String, Long> relations, Map<String, Long> indexes, Map<String, Long> keys,
                    long total, Map<String, Long> columns) {

    static final String KEY_TABLE = "marketplace_catalog_name_order";

    /** The search structures by the names the issue and docs/search.md use (V19, V20 and the trigram index). */
    static final Map<String, String> SEARCH_INDEXES = Map.of(
            "catalog_rows_search_trgm", "search_trgm", "catalog_rows_search_grams", "search_grams",
            "catalog_rows_search_grams_missing", "search_grams_missing", "catalog_rows_search_vector", "search_vector");
    private static final List<String> SEARCH_COLUMNS = List.of("search_text", "search_grams", "search_vector");
    private static final double MB = 1024.0 * 1024.0;

    /** Measures now; reads every row's search columns (their stored size: nothing is detoasted). */
    static CatalogSizes measure(Connection pg) {
        Map<String, Long> relations = new LinkedHashMap<>();
        Map<String, Long> indexes = new LinkedHashMap<>();
        try (Statement st = pg.createStatement()) {
            List<String> columns;
            long total;
            try (ResultSet rs = st.executeQuery("""
                    SELECT pg_relation_size(t.oid), coalesce(pg_total_relation_size(nullif(t.reltoastrelid, 0)), 0),
                           pg_table_size(t.oid), pg_total_relation_size(t.oid),
                           array(SELECT attname::text FROM pg_attribute WHERE attrelid = t.oid AND attnum > 0
                                 AND NOT attisdropped)
                    FROM pg_class t WHERE t.oid = 'marketplace_catalog_rows'::regclass""")) {
                rs.next();
                relations.put("table (main fork)", rs.getLong(1));
                relations.put("TOAST (with its index)", rs.getLong(2));
                relations.put("table + TOAST + maps (`pg_table_size`)", rs.getLong(3));
                total = rs.getLong(4);
                // a what-if may have dropped a search column: measure those that are there
                List<String> present = List.of((String[]) rs.getArray(5).getArray());
                columns = SEARCH_COLUMNS.stream().filter(present::contains).toList();
            }
            indexes.putAll(indexSizes(st, "marketplace_catalog_rows"));
            Map<String, Long> keys = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT pg_table_size(t), pg_total_relation_size(t) FROM to_regclass('"
                    + KEY_TABLE + "') t WHERE t IS NOT NULL")) {
                if (rs.next()) {
                    keys.put(KEY_TABLE, rs.getLong(1));
                    total += rs.getLong(2);
                }
            }
            if (!keys.isEmpty()) {
                keys.putAll(indexSizes(st, KEY_TABLE));
            }
            Map<String, Long> columnBytes = new LinkedHashMap<>();
            String sums = columns.stream().map(c -> "coalesce(sum(pg_column_size(" + c + ")), 0)")
                    .collect(Collectors.joining(", ", "SELECT count(*)" + (columns.isEmpty() ? "" : ", "), ""));
            try (ResultSet rs = st.executeQuery(sums + " FROM marketplace_catalog_rows")) {
                rs.next();
                for (int i = 0; i < columns.size(); i++) {
                    columnBytes.put(columns.get(i), rs.getLong(i + 2));
                }
                return new CatalogSizes(rs.getLong(1), relations, indexes, keys, total, columnBytes);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot measure the catalog's size: " + e.getMessage(), e);
        }
    }

    private static Map<String, Long> indexSizes(Statement st, String table) throws SQLException {
        Map<String, Long> sizes = new LinkedHashMap<>();
        indexes(st, table).forEach(index -> sizes.put(index.name(), index.bytes()));
        return sizes;
    }

    /** An index of a catalog table, as the size section and {@code --without-indexes} see it. */
    record Index(String name, long bytes, boolean primary) {
    }

    /** The indexes of a table by name (none if the table is absent, as the key table is before V23). */
    static List<Index> indexes(Statement st, String table) throws SQLException {
        List<Index> indexes = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("""
                SELECT c.relname, pg_relation_size(c.oid), i.indisprimary
                FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = to_regclass('%s') ORDER BY c.relname""".formatted(table))) {
            while (rs.next()) {
                indexes.add(new Index(rs.getString(1), rs.getLong(2), rs.getBoolean(3)));
            }
        }
        return indexes;
    }

    /** An index's name in the report: the search structures by their short names, in bold. */
    static String label(String index) {
        String search = SEARCH_INDEXES.get(index);
        return search != null ? "**" + search + "** (`" + index + "`)" : "`" + index + "`";
    }

    /**
     * Every part the report shows, in its order: the table, each index, the indexes' sums, the key table
     * and its indexes, everything.
     */
    Map<String, Long> parts() {
        Map<String, Long> parts = new LinkedHashMap<>(relations);
        indexes.forEach((name, bytes) -> parts.put(label(name), bytes));
        parts.put("all indexes", indexes.values().stream().mapToLong(Long::longValue).sum());
        parts.put("the search structures' indexes", indexes.entrySet().stream()
                .filter(e -> SEARCH_INDEXES.containsKey(e.getKey())).mapToLong(Map.Entry::getValue).sum());
        keys.forEach((name, bytes) -> parts.put(name.equals(KEY_TABLE)
                ? "key table `" + KEY_TABLE + "` (`pg_table_size`)" : "key table's `" + name + "`", bytes));
        if (!keys.isEmpty()) {
            parts.put("key table with its indexes", keys.values().stream().mapToLong(Long::longValue).sum());
        }
        parts.put("everything (`pg_total_relation_size` of both tables)", total);
        return parts;
    }

    /**
     * The report's section: every part after the full rebuild and after the VACUUM that follows it (the
     * GIN indexes' pending lists are merged then), in MB and bytes per row of the table.
     */
    static String markdown(CatalogSizes rebuilt, CatalogSizes vacuumed) {
        StringBuilder md = new StringBuilder("## Catalog size\n\n");
        md.append(String.format(Locale.ROOT, "`marketplace_catalog_rows` right after the full rebuild and after the "
                + "`VACUUM (ANALYZE)` that follows it: %,d rows (the warm-up set's and the full rebuild's agents; the "
                + "per-agent figures divide by them), then the key table its trigger keeps in the same transaction "
                + "(`" + KEY_TABLE + "`, V23: the unfiltered orders' deep offsets). Each part is its "
                + "`pg_relation_size` unless named otherwise; the search structures are in bold.%n%n",
                vacuumed.rows()));
        md.append("| part | MB after the rebuild | bytes per agent | MB after VACUUM | bytes per agent |\n");
        md.append("| --- | ---: | ---: | ---: | ---: |\n");
        Map<String, Long> before = rebuilt.parts();
        vacuumed.parts().forEach((part, bytes) -> md.append("| ").append(part).append(" | ")
                .append(before.containsKey(part) ? rebuilt.figures(before.get(part)) : "— | —").append(" | ")
                .append(vacuumed.figures(bytes)).append(" |\n"));
        md.append("\nThe search columns' stored size (`pg_column_size`: compressed where PostgreSQL compressed them), ")
                .append("part of the table and TOAST above. The worker writes `search_text` and `search_grams`; ")
                .append("PostgreSQL computes `search_vector` (a generated column) on every insert and update.\n\n");
        md.append("| column | MB | bytes per agent |\n| --- | ---: | ---: |\n");
        vacuumed.columns().forEach((column, bytes) -> md.append("| `").append(column).append("` | ")
                .append(vacuumed.figures(bytes)).append(" |\n"));
        return md.append('\n').toString();
    }

    /** MB and bytes per row, as two cells. */
    private String figures(long bytes) {
        return String.format(Locale.ROOT, "%.1f | %,.0f", bytes / MB, (double) bytes / Math.max(1, rows));
    }
}
