package io.marketplaceindex.api.catalog;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The walk's choice and bound from a sample's estimate (the SQL of both routes: NameWalkIT). */
class NameWalkTest {

    private static final UUID A = UUID.fromString("00000000-0000-0000-0000-00000000000a");
    private static final UUID B = UUID.fromString("00000000-0000-0000-0000-00000000000b");

    /** 1,000 sampled rows of a 100,000-row catalog: "common" in every 10th, "rare" in one, tag t on every 2nd, registry A on every 4th. */
    private static final CatalogSample SAMPLE = sample();

    private static CatalogSample sample() {
        List<CatalogSample.Row> rows = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            String text = "agent " + i + (i % 10 == 0 ? " common" : "") + (i == 500 ? " rare" : "");
            rows.add(new CatalogSample.Row(i % 4 == 0 ? A : B, i % 2 == 0 ? List.of("t") : List.of(), text));
        }
        return new CatalogSample(rows, 100_000);
    }

    @Test
    void estimatesScaleTheSampleToTheCatalog() {
        CatalogSample.Estimate common = SAMPLE.estimate("common", List.of(), null);
        assertThat(common.matches()).isEqualTo(10_000);
        assertThat(common.indexRows()).isEqualTo(10_000);
        assertThat(common.walkEntries(50)).as("one match in ten rows").isEqualTo(500);

        CatalogSample.Estimate narrowed = SAMPLE.estimate("common", List.of("t"), A);
        // registry A holds rows 0, 4, 8...; of those, the common ones (0, 20, 40...) all have tag t
        assertThat(narrowed.inRange()).isEqualTo(250);
        assertThat(narrowed.matching()).isEqualTo(50);
        assertThat(narrowed.walkEntries(10)).as("walks the registry only").isEqualTo(50);
        assertThat(narrowed.indexRows()).as("the index reads every row with the needle").isEqualTo(10_000);

        assertThat(SAMPLE.estimate("absent", List.of(), null).walkEntries(10)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void walksCommonMatchesAndReadsRareOnesThroughTheIndex() {
        CatalogQuery first = CatalogQuery.parse("50", null, "name", "common", null, null, null);
        NameWalk.Plan walk = NameWalk.plan(first, SAMPLE.estimate("common", List.of(), null)).orElseThrow();
        assertThat(walk.bound()).isEqualTo(NameWalk.MIN_BOUND);
        assertThat(walk.total()).as("10,000 estimated matches: not counted on the request")
                .isEqualTo(new CatalogRepository.Total(10_000, false));

        CatalogQuery deep = CatalogQuery.parse("50", "9000", "name", "common", null, null, null);
        assertThat(NameWalk.plan(deep, SAMPLE.estimate("common", List.of(), null)))
                .as("90,500 rows to walk against 10,000 to read: the index").isEmpty();

        CatalogQuery rare = CatalogQuery.parse("50", null, "name", "rare", null, null, null);
        assertThat(NameWalk.plan(rare, SAMPLE.estimate("rare", List.of(), null)))
                .as("50,000 rows to walk against 100 to read").isEmpty();
        assertThat(NameWalk.plan(rare, SAMPLE.estimate("absent", List.of(), null))).isEmpty();
    }

    @Test
    void aShortNeedlesExactMatchesAreCheaperToReadThanTheTrigramIndexsRechecked() {
        // 40 of 20,000 sampled rows of 5M: 25,000 rows to walk for a page, 10,000 matches to read
        CatalogSample.Estimate estimate = new CatalogSample.Estimate(20_000, 20_000, 40, 40, 5_000_000);
        assertThat(NameWalk.plan(CatalogQuery.parse("50", null, "name", "qjx", null, null, null), estimate))
                .as("trigram matches, rechecked: 6 walked rows each").isPresent();
        assertThat(NameWalk.plan(CatalogQuery.parse("50", null, "name", "qj", null, null, null), estimate))
                .as("gram matches, exact: 2 walked rows each").isEmpty();
    }

    @Test
    void aNeedleWithATagAndARegistryWalksEvenWhenTheSampleHoldsFewerMatchesThanExpected() {
        // q=flat with the commonest tag and the largest registry at 1M: 2,645 of 20,000 sampled rows in the
        // registry, 104 holding the needle, 6 of them matching (7.8 expected): 22,042 rows to walk, 5,200
        // needle rows to read at 6 walked rows each
        CatalogSample.Estimate estimate = new CatalogSample.Estimate(20_000, 2_645, 6, 104, 1_000_000);
        CatalogQuery query = CatalogQuery.parse("50", null, "name", "flat", "search", "https://r000.example", null);
        assertThat(NameWalk.plan(query, estimate)).as("22,042 rows to walk against 31,200").isPresent();
        CatalogSample.Estimate fewer = new CatalogSample.Estimate(20_000, 2_645, 4, 104, 1_000_000);
        assertThat(NameWalk.plan(query, fewer)).as("33,063 rows to walk: the needle's rows first").isEmpty();
    }

    @Test
    void aFewMatchesOfACommonNeedleAreNotCountedOnTheRequest() {
        // registry A: 5 sampled rows, all with the needle, which 100 sampled rows hold in all
        List<CatalogSample.Row> rows = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            rows.add(new CatalogSample.Row(i < 50 && i % 10 == 0 ? A : B, List.of(), i % 10 == 0 ? "common" : "other"));
        }
        CatalogSample.Estimate inA = new CatalogSample(rows, 100_000).estimate("common", List.of(), A);
        CatalogQuery query = CatalogQuery.parse("10", null, "name", "common", null, "https://a.example", null);
        assertThat(NameWalk.plan(query, inA).orElseThrow().total())
                .as("500 matches, but counting them reads the 10,000 rows holding the needle")
                .isEqualTo(new CatalogRepository.Total(500, false));
    }

    @Test
    void aFewEstimatedMatchesAreCountedOnTheRequest() {
        CatalogSample small = new CatalogSample(SAMPLE.rows(), 1_000);
        CatalogQuery query = CatalogQuery.parse("10", null, "name", "common", null, null, null);
        assertThat(NameWalk.plan(query, small.estimate("common", List.of(), null)).orElseThrow().total()).isNull();
    }
}
