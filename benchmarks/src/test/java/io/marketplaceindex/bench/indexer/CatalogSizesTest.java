package io.marketplaceindex.bench.indexer;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CatalogSizesTest {

    private static final long MB = 1024 * 1024;

    private static CatalogSizes sizes(long rows, long trgm, Map<String, Long> moreIndexes) {
        Map<String, Long> relations = new LinkedHashMap<>();
        relations.put("table (main fork)", 100 * MB);
        relations.put("TOAST (with its index)", 10 * MB);
        relations.put("table + TOAST + maps (`pg_table_size`)", 111 * MB);
        Map<String, Long> indexes = new LinkedHashMap<>();
        indexes.put("catalog_rows_by_name", 20 * MB);
        indexes.put("catalog_rows_search_trgm", trgm);
        indexes.putAll(moreIndexes);
        Map<String, Long> keys = new LinkedHashMap<>();
        keys.put(CatalogSizes.KEY_TABLE, 9 * MB);
        keys.put("catalog_name_order_by_handle", 7 * MB);
        keys.put("marketplace_catalog_name_order_pkey", 8 * MB);
        return new CatalogSizes(rows, relations, indexes, keys, 200 * MB, Map.of("search_grams", 5 * MB));
    }

    @Test
    void namesTheSearchStructuresAndDividesByTheRows() {
        assertThat(CatalogSizes.label("catalog_rows_search_vector"))
                .isEqualTo("**search_vector** (`catalog_rows_search_vector`)");
        assertThat(CatalogSizes.label("catalog_rows_tags")).isEqualTo("`catalog_rows_tags`");
        CatalogSizes rebuilt = sizes(1_000_000, 30 * MB, Map.of());
        CatalogSizes vacuumed = sizes(1_000_000, 40 * MB, Map.of("catalog_rows_search_grams", 8 * MB));
        assertThat(vacuumed.parts()).containsEntry("all indexes", 68 * MB)
                .containsEntry("the search structures' indexes", 48 * MB);
        String md = CatalogSizes.markdown(rebuilt, vacuumed);
        assertThat(md).contains("1,000,000 rows")
                .contains("| table (main fork) | 100.0 | 105 | 100.0 | 105 |")
                .contains("| **search_trgm** (`catalog_rows_search_trgm`) | 30.0 | 31 | 40.0 | 42 |")
                // an index the first measurement did not see
                .contains("| **search_grams** (`catalog_rows_search_grams`) | — | — | 8.0 | 8 |")
                .contains("| the search structures' indexes | 30.0 | 31 | 48.0 | 50 |")
                .contains("| key table `marketplace_catalog_name_order` (`pg_table_size`) | 9.0 | 9 | 9.0 | 9 |")
                .contains("| key table's `catalog_name_order_by_handle` | 7.0 | 7 | 7.0 | 7 |")
                .contains("| key table with its indexes | 24.0 | 25 | 24.0 | 25 |")
                .contains("| everything (`pg_total_relation_size` of both tables) | 200.0 | 210 | 200.0 | 210 |")
                .contains("| `search_grams` | 5.0 | 5 |");
    }
}
