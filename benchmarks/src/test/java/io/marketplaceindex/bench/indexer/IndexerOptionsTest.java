package io.marketplaceindex.bench.indexer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IndexerOptionsTest {

    @Test
    void optionsDefaultToTheDocumentedSizes() {
        IndexerOptions o = IndexerOptions.parse(new String[]{"--registries", "5", "--keep-data"});
        assertThat(o.registries()).isEqualTo(5);
        assertThat(o.agents()).isEqualTo(1000);
        assertThat(o.keepData()).isTrue();
        assertThat(o.commandLine()).isEqualTo("scripts/bench-indexer --registries 5 --keep-data");
        assertThat(o.ownPostgres()).isTrue();
        IndexerOptions shared = IndexerOptions.parse(new String[]{"--postgres", "shared"});
        assertThat(shared.ownPostgres()).isFalse();
        assertThat(shared.commandLine()).isEqualTo("scripts/bench-indexer --postgres shared");
        assertThatThrownBy(() -> IndexerOptions.parse(new String[]{"--postgres", "mine"}))
                .hasMessage("--postgres needs 'own' or 'shared', not 'mine'");
        assertThat(IndexerOptions.parse(new String[]{"--help"})).isNull();
        assertThatThrownBy(() -> IndexerOptions.parse(new String[]{"--agents", "0"}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withoutIndexesTakesIndexNamesOrSecondaryAlone() {
        assertThat(IndexerOptions.parse(new String[0]).withoutIndexes()).isEmpty();
        assertThat(IndexerOptions.parse(new String[]{"--without-indexes", "catalog_rows_search_trgm,catalog_rows_tags"})
                .withoutIndexes()).containsExactly("catalog_rows_search_trgm", "catalog_rows_tags");
        assertThat(IndexerOptions.parse(new String[]{"--without-indexes", "secondary"}).withoutIndexes())
                .containsExactly(IndexerOptions.SECONDARY_INDEXES);
        assertThatThrownBy(() -> IndexerOptions.parse(new String[]{"--without-indexes", "x; DROP TABLE y"}))
                .hasMessage("--without-indexes: 'x; DROP TABLE y' is not an index name");
        assertThatThrownBy(() -> IndexerOptions.parse(new String[]{"--without-indexes", "secondary,catalog_rows_tags"}))
                .hasMessage("--without-indexes: 'secondary' stands alone");
        assertThat(IndexerOptions.parse(new String[0]).withoutSearch()).isFalse();
        assertThat(IndexerOptions.parse(new String[]{"--without-search"}).withoutSearch()).isTrue();
    }

    @Test
    void helpIsWrittenFromTheOptionsThemselves() {
        java.io.StringWriter usage = new java.io.StringWriter();
        new picocli.CommandLine(new IndexerOptions.Flags()).usage(new java.io.PrintWriter(usage));
        assertThat(usage.toString()).contains("scripts/bench-indexer", "--registries=N", "(default 1000)",
                "--postgres=own|shared", "--read-load", "--help");
        assertThatThrownBy(() -> IndexerOptions.parse(new String[]{"--registries", "many"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'many' is not an int");
    }
}
