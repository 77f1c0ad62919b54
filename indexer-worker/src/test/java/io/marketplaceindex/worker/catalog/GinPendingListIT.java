package io.marketplaceindex.worker.catalog;

import io.marketplaceindex.testsupport.TestServices;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * V25: every GIN index of the catalog's rows bounds its pending list, which every search through the
 * index scans, at 512 kB. A GIN index added later without the bound fails here.
 */
class GinPendingListIT extends MigrationTestSupport {

    @Test
    void everyGinIndexOfTheCatalogRowsHasABoundedPendingList() throws SQLException {
        url = TestServices.databaseAtVersion("v25_gin_pending", "25");
        try (Connection c = connection(); Statement st = c.createStatement()) {
            List<String> ginIndexes = column(st, """
                    SELECT c.relname FROM pg_index i
                    JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
                    WHERE i.indrelid = 'marketplace_catalog_rows'::regclass AND am.amname = 'gin'
                    ORDER BY c.relname""");
            assertThat(ginIndexes).contains("catalog_rows_search_trgm", "catalog_rows_search_grams",
                    "catalog_rows_search_vector", "catalog_rows_tags", "catalog_rows_many_tags");
            List<String> bounded = column(st, """
                    SELECT c.relname FROM pg_index i
                    JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
                    WHERE i.indrelid = 'marketplace_catalog_rows'::regclass AND am.amname = 'gin'
                      AND 'gin_pending_list_limit=512' = ANY (c.reloptions)
                    ORDER BY c.relname""");
            assertThat(bounded).isEqualTo(ginIndexes);
        }
    }
}
