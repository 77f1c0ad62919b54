package io.marketplaceindex.api.catalog;

import java.util.List;
import java.util.Map;

/**
 * Ranking quality against graded judgements (3: the agent a person expects first, 2: a good answer,
 * 1: related). nDCG@k with gain 2^grade - 1; the reciprocal rank is that of the first result graded
 * highest for the query (0 when it is not in the first k).
 */
final class RelevanceMetrics {

    static final int K = 10;

    private RelevanceMetrics() {
    }

    static double ndcg(List<String> ranked, Map<String, Integer> grades) {
        double ideal = dcg(grades.values().stream().sorted((a, b) -> b - a).toList());
        return ideal == 0 ? 0 : dcg(ranked.stream().map(h -> grades.getOrDefault(h, 0)).toList()) / ideal;
    }

    private static double dcg(List<Integer> gains) {
        double sum = 0;
        for (int i = 0; i < Math.min(K, gains.size()); i++) {
            sum += (Math.pow(2, gains.get(i)) - 1) / (Math.log(i + 2) / Math.log(2));
        }
        return sum;
    }

    static double reciprocalRank(List<String> ranked, Map<String, Integer> grades) {
        int best = grades.values().stream().max(Integer::compare).orElse(0);
        for (int i = 0; i < Math.min(K, ranked.size()); i++) {
            if (grades.getOrDefault(ranked.get(i), 0) == best) {
                return 1.0 / (i + 1);
            }
        }
        return 0;
    }
}
