package io.marketplaceindex.api.catalog;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packed scan counts exactly what asking every row's text {@link String#contains} counts, for
 * needles of every length and script, at row boundaries, with and without a registry and tags.
 */
class CatalogSampleTest {

    private static final UUID NORTH = UUID.randomUUID();
    private static final UUID SOUTH = UUID.randomUUID();
    private static final String[] WORDS = {"data", "flat", "qj", "e", "ünïcödé", "поиск", "検索エージェント",
            "🤖bot", "a-b_c.d", "x\u001fy", "", "ÿ", "€uro", "tab\tbed"};

    @Test
    void countsAsEveryRowAskedOneByOne() {
        Random random = new Random(7);
        List<CatalogSample.Row> rows = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int w = random.nextInt(4); w >= 0; w--) {
                text.append(WORDS[random.nextInt(WORDS.length)]).append(random.nextBoolean() ? " " : "\u001f");
            }
            List<String> tags = random.nextBoolean() ? List.of("search") : List.of("other", "x");
            rows.add(new CatalogSample.Row(random.nextInt(3) == 0 ? NORTH : SOUTH, tags, text.toString()));
        }
        CatalogSample sample = new CatalogSample(rows, 1_000_000, Integer.MAX_VALUE);

        Set<String> needles = new LinkedHashSet<>(List.of("zzz-absent", "data flat", "y", " ", "\u001f", "🤖", "エ",
                "ab", "ÿ", "\u00ff", "é"));
        for (String word : WORDS) { // by code point: a query holds no half of a surrogate pair
            int[] points = word.codePoints().toArray();
            for (int from = 0; from < points.length; from++) {
                needles.add(new String(points, from, Math.min(points.length, from + 1 + from % 3) - from));
            }
        }
        for (String needle : needles) {
            for (UUID registry : new UUID[] {null, NORTH, UUID.randomUUID()}) {
                for (List<String> tags : List.of(List.<String>of(), List.of("search"), List.of("none", "x"))) {
                    assertThat(sample.estimate(needle, tags, registry))
                            .as("needle '%s', registry %s, tags %s", needle, registry, tags)
                            .isEqualTo(oneByOne(rows, needle, tags, registry));
                }
            }
        }
    }

    /**
     * A common needle stops the scan at enough matches, and the part scanned stands for the whole even
     * when the sample came in table order: here every row of the first half holds the needle and is in
     * one registry, and no row of the second half does.
     */
    @Test
    void aCommonNeedleStopsEarlyOnAFairPartOfTheSample() {
        List<CatalogSample.Row> rows = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            boolean firstHalf = i < 10_000;
            rows.add(new CatalogSample.Row(firstHalf ? NORTH : SOUTH, List.of(i % 2 == 0 ? "search" : "other"),
                    (firstHalf ? "common data agent " : "another agent ") + i));
        }
        CatalogSample sample = new CatalogSample(rows, 1_000_000);

        CatalogSample.Estimate common = sample.estimate("data", List.of(), null);
        assertThat(common.sampled()).as("rows scanned").isLessThan(2_000);
        assertThat(common.matching()).isEqualTo(CatalogSample.ENOUGH_MATCHES);
        assertThat(common.matches()).as("half the catalog").isBetween(425_000L, 575_000L);
        assertThat(common.indexRows()).isEqualTo(common.matches());

        CatalogSample.Estimate tagged = sample.estimate("data", List.of("search"), NORTH);
        assertThat(tagged.matches()).as("a quarter").isBetween(212_000L, 288_000L);
        assertThat((double) tagged.inRange() / tagged.sampled()).as("north's share of the rows scanned")
                .isBetween(0.42, 0.58);
        assertThat(tagged.walkEntries(50)).as("every second north row matches").isBetween(85L, 118L);

        CatalogSample.Estimate rare = sample.estimate("another agent 1999", List.of(), null);
        assertThat(rare.sampled()).as("a rare needle scans it all").isEqualTo(20_000);
        assertThat(rare.matching()).isEqualTo(10); // rows 19990 to 19999

        CatalogSample whole = new CatalogSample(rows, rows.size());
        assertThat(whole.estimate("data", List.of(), null).matches())
                .as("a sample of the whole catalog counts exactly").isEqualTo(10_000);
    }

    @Test
    void anEmptySampleEstimatesNothing() {
        CatalogSample.Estimate none = new CatalogSample(List.of(), 10).estimate("a", List.of(), null);
        assertThat(none.containing()).isZero();
        assertThat(none.walkEntries(50)).isEqualTo(Long.MAX_VALUE);
    }

    /** The reference: each row's text asked on its own. */
    private static CatalogSample.Estimate oneByOne(List<CatalogSample.Row> rows, String needle, List<String> tags,
                                                   UUID registryId) {
        long inRange = 0;
        long matching = 0;
        long containing = 0;
        for (CatalogSample.Row row : rows) {
            boolean contains = row.searchText().contains(needle);
            if (contains) {
                containing++;
            }
            if (registryId != null && !registryId.equals(row.registryId())) {
                continue;
            }
            inRange++;
            if (contains && (tags.isEmpty() || tags.stream().anyMatch(row.tags()::contains))) {
                matching++;
            }
        }
        return new CatalogSample.Estimate(rows.size(), inRange, matching, containing, 1_000_000);
    }
}
