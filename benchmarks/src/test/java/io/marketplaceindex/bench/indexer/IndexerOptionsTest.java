package io.marketplaceindex.bench.indexer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IndexerOptionsTest {

    @Test
    void optionsDefaultToTheDocumentedSizes() {
        IndexerBenchmark.Options o = IndexerBenchmark.parse(new String[]{"--registries", "5", "--keep-data"});
        assertThat(o.registries()).isEqualTo(5);
        assertThat(o.agents()).isEqualTo(1000);
        assertThat(o.keepData()).isTrue();
        assertThat(o.commandLine()).isEqualTo("scripts/bench-indexer --registries 5 --keep-data");
        assertThat(o.ownPostgres()).isTrue();
        IndexerBenchmark.Options shared = IndexerBenchmark.parse(new String[]{"--postgres", "shared"});
        assertThat(shared.ownPostgres()).isFalse();
        assertThat(shared.commandLine()).isEqualTo("scripts/bench-indexer --postgres shared");
        assertThatThrownBy(() -> IndexerBenchmark.parse(new String[]{"--postgres", "mine"}))
                .hasMessage("--postgres needs 'own' or 'shared', not 'mine'");
        assertThat(IndexerBenchmark.parse(new String[]{"--help"})).isNull();
        assertThatThrownBy(() -> IndexerBenchmark.parse(new String[]{"--agents", "0"}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withoutIndexesTakesIndexNamesOrSecondaryAlone() {
        assertThat(IndexerBenchmark.parse(new String[0]).withoutIndexes()).isEmpty();
        assertThat(IndexerBenchmark.parse(new String[]{"--without-indexes", "catalog_rows_search_trgm,catalog_rows_tags"})
                .withoutIndexes()).containsExactly("catalog_rows_search_trgm", "catalog_rows_tags");
        assertThat(IndexerBenchmark.parse(new String[]{"--without-indexes", "secondary"}).withoutIndexes())
                .containsExactly(IndexerBenchmark.SECONDARY_INDEXES);
        assertThatThrownBy(() -> IndexerBenchmark.parse(new String[]{"--without-indexes", "x; DROP TABLE y"}))
                .hasMessage("--without-indexes: 'x; DROP TABLE y' is not an index name");
        assertThatThrownBy(() -> IndexerBenchmark.parse(new String[]{"--without-indexes", "secondary,catalog_rows_tags"}))
                .hasMessage("--without-indexes: 'secondary' stands alone");
    }
}
