package io.marketplaceindex.api.catalog;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Which part of a needle the trigram index is asked for, from given trigram frequencies. */
class SubstringNarrowingTest {

    private static final SubstringNarrowing.Frequencies SAMPLE = new SubstringNarrowing.Frequencies(shares(
            "sho 0.13", "hou 0.09", "oun 0.19", "und 0.13", "ndt 0.04", "dtr 0.02", "tre 0.07", "rer 0.013",
            "ert 0.19", "rtp 0.03", "tpy 0.0034", "pyx 0.004", "yxs 0.0031", "xsa 0.0012", "sar 0.0026",
            "art 0.08"), 20_000);

    private static Map<String, Double> shares(String... pairs) {
        Map<String, Double> shares = new HashMap<>();
        for (String pair : pairs) {
            String[] parts = pair.split(" ");
            shares.put(parts[0], Double.parseDouble(parts[1]));
        }
        return shares;
    }

    @Test
    void sharesCountEachRowOnce() {
        List<CatalogSample.Row> rows = List.of(row("abcabc x1y"), row("ABC"), row("zz"), row("ab-c"));
        SubstringNarrowing.Frequencies sample = SubstringNarrowing.Frequencies.of(rows);
        assertThat(sample.sampledRows()).isEqualTo(4);
        assertThat(sample.shares()).containsOnly(Map.entry("abc", 0.5), Map.entry("bca", 0.25),
                Map.entry("cab", 0.25), Map.entry("x1y", 0.25));
    }

    private static CatalogSample.Row row(String searchText) {
        return new CatalogSample.Row(null, List.of(), searchText);
    }

    @Test
    void theWindowWithTheRarestTrigramsIsSearched() {
        // yxs + xsa + sar = 0.0069 of the rows' posting lists, the least of any window
        assertThat(SubstringNarrowing.choose("shoundtrertpyxsart", SAMPLE)).contains("yxsar");
    }

    @Test
    void trigramsNeverSampledCountAsRare() {
        // the first window made of unseen trigrams only
        assertThat(SubstringNarrowing.choose("shoundqqqqq", SAMPLE)).contains("ndqqq");
    }

    @Test
    void shortNeedlesAreSearchedWhole() {
        assertThat(SubstringNarrowing.choose("pyxsa", SAMPLE)).isEmpty();
        assertThat(SubstringNarrowing.choose("data", SAMPLE)).isEmpty();
    }

    @Test
    void onlyAsciiLettersAndDigitsFormWindows() {
        // "é" and spaces break runs: no run of five
        assertThat(SubstringNarrowing.choose("café olé naïve", SAMPLE)).isEmpty();
        assertThat(SubstringNarrowing.choose("ab-cd_ef gh", SAMPLE)).isEmpty();
        // a run of five inside punctuation is a window
        assertThat(SubstringNarrowing.choose("%% qqqqq %%", SAMPLE)).contains("qqqqq");
    }

    @Test
    void aWindowOfCommonTrigramsIsNotWorthIt() {
        // every window has a trigram in more than 0.5 % of the rows: the whole needle is searched
        assertThat(SubstringNarrowing.choose("shoundtrert", SAMPLE)).isEmpty();
    }

    @Test
    void withoutASampleEveryNeedleIsSearchedWhole() {
        assertThat(SubstringNarrowing.choose("shoundtrertpyxsart", null)).isEqualTo(Optional.empty());
    }
}
