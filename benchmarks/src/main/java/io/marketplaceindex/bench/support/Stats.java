package io.marketplaceindex.bench.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The little arithmetic the reports need. */
public final class Stats {

    private Stats() {
    }

    /**
     * Nearest-rank percentile: the smallest sample with at least {@code p} percent of the samples
     * at or below it (p95 of 20 samples is the 19th smallest); NaN without samples, which a report
     * prints as such rather than failing a run that measured everything else.
     */
    public static double percentile(List<Double> samples, double p) {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("p must be in (0, 100]");
        }
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(1, rank) - 1);
    }

    public static double median(List<Double> samples) {
        return percentile(samples, 50);
    }

    public static double ratio(double numerator, double denominator) {
        return denominator == 0 ? Double.NaN : numerator / denominator;
    }
}
