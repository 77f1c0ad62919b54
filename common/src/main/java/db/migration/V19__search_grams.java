package db.migration;

import io.marketplaceindex.agent.SearchGrams;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Unigrams and bigrams of the search text, so that a {@code q} of one or two code points is answered by an
 * index (the trigram index cannot narrow it: a sequential scan, seconds at 1M rows; see
 * benchmarks/results/search-2026-12-06.md and docs/architecture.md, "How q is served").
 *
 * <p>A Java migration so that existing rows get their grams from {@link SearchGrams#of}, the very function
 * the worker writes them with: one definition, no SQL twin to keep in step (an SQL version also cost
 * about 1 ms a row). Steps, each safe to repeat, so that after a failure ({@code flyway repair}) a second
 * run picks up where the first stopped:
 * <ol>
 *     <li>the column, nullable: adding it rewrites nothing;</li>
 *     <li>existing rows in batches of {@value #BATCH} in primary-key order, each batch committed on its own
 *     (no transaction of millions of rows, no long lock). A row that a writer holds at that moment is
 *     skipped: the writer is rewriting it, and a row left without grams is still found (below);</li>
 *     <li>the gram index, built once over the filled column (a bulk build is far cheaper than one insert per
 *     row); it blocks writes while it builds, reads go on;</li>
 *     <li>a partial index of the rows without grams (left over, written by a worker of an older version
 *     during a rolling upgrade, or over their budget): the API reads them for every short needle and
 *     rechecks them, so a row without grams is slower to find, never missed. It is empty in the normal
 *     case;</li>
 *     <li>ANALYZE, for the element statistics of the new column: with them the planner tells a rare gram
 *     (read the index) from a common one (walk the name order and stop after one page).</li>
 * </ol>
 * Runs outside a transaction ({@link #canExecuteInTransaction}) because of the batches.
 */
public class V19__search_grams extends BaseJavaMigration {

    private static final Logger log = LoggerFactory.getLogger(V19__search_grams.class);

    static final int BATCH = 1_000;

    private static final String ADD_COLUMN = """
            ALTER TABLE marketplace_catalog_rows ADD COLUMN IF NOT EXISTS search_grams text[] COLLATE "C"
            """;
    private static final String COMMENT = """
            COMMENT ON COLUMN marketplace_catalog_rows.search_grams IS
                'distinct 1- and 2-code-point grams of search_text, never across its field separator (SearchGrams); '
                'null: not filled yet or over budget, such rows are rechecked for every short q'
            """;
    /** Walks the primary key from the last batch on; rows a writer holds are left to it. */
    private static final String NEXT_BATCH = """
            SELECT registry_id, handle, search_text FROM marketplace_catalog_rows
            WHERE (registry_id, handle) > (?, ?) AND search_grams IS NULL
            ORDER BY registry_id, handle
            LIMIT ?
            FOR UPDATE SKIP LOCKED
            """;
    /** Grams travel joined by U+001F, which none contains (SearchGrams never spans the separator). */
    private static final String FILL_BATCH = """
            UPDATE marketplace_catalog_rows r SET search_grams = string_to_array(u.grams, E'\\x1f')
            FROM unnest(?::uuid[], ?::text[], ?::text[]) AS u(registry_id, handle, grams)
            WHERE r.registry_id = u.registry_id AND r.handle = u.handle
            """;
    private static final String GRAM_INDEX = """
            CREATE INDEX IF NOT EXISTS catalog_rows_search_grams ON marketplace_catalog_rows USING gin (search_grams)
            """;
    private static final String MISSING_INDEX = """
            CREATE INDEX IF NOT EXISTS catalog_rows_search_grams_missing ON marketplace_catalog_rows (registry_id, handle)
                WHERE search_grams IS NULL
            """;

    @Override
    public boolean canExecuteInTransaction() {
        return false;
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        boolean autoCommit = c.getAutoCommit();
        try (Statement st = c.createStatement()) {
            st.execute(ADD_COLUMN);
            st.execute(COMMENT);
        }
        c.setAutoCommit(false);
        try {
            long filled = fill(c);
            log.info("V19: search grams written for {} rows", filled);
        } finally {
            c.setAutoCommit(autoCommit);
        }
        try (Statement st = c.createStatement()) {
            st.execute(GRAM_INDEX);
            st.execute(MISSING_INDEX);
            st.execute("ANALYZE marketplace_catalog_rows");
        }
    }

    /** Fills every row without grams that no writer holds, one committed batch at a time. */
    static long fill(Connection c) throws SQLException {
        UUID lastRegistry = new UUID(0, 0);
        String lastHandle = ""; // below every handle: handles are never empty
        long filled = 0;
        while (true) {
            List<UUID> registries = new ArrayList<>(BATCH);
            List<String> handles = new ArrayList<>(BATCH);
            List<String> grams = new ArrayList<>(BATCH);
            try (PreparedStatement ps = c.prepareStatement(NEXT_BATCH)) {
                ps.setObject(1, lastRegistry);
                ps.setString(2, lastHandle);
                ps.setInt(3, BATCH);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        registries.add(rs.getObject(1, UUID.class));
                        handles.add(rs.getString(2));
                        List<String> rowGrams = SearchGrams.of(rs.getString(3));
                        grams.add(rowGrams == null ? null : String.join("\u001f", rowGrams));
                    }
                }
            }
            if (registries.isEmpty()) {
                c.commit();
                return filled;
            }
            try (PreparedStatement ps = c.prepareStatement(FILL_BATCH)) {
                ps.setArray(1, c.createArrayOf("uuid", registries.toArray()));
                ps.setArray(2, c.createArrayOf("text", handles.toArray()));
                ps.setArray(3, c.createArrayOf("text", grams.toArray()));
                ps.executeUpdate();
            }
            c.commit();
            filled += registries.size();
            lastRegistry = registries.get(registries.size() - 1);
            lastHandle = handles.get(handles.size() - 1);
            if (filled % 100_000 < BATCH) {
                log.info("V19: search grams written for {} rows so far", filled);
            }
        }
    }
}
