package io.marketplaceindex.bench.indexer;

import java.util.Locale;
import java.util.Map;

/** One measured rebuild. */
record Rebuild(String label, int workers, int registries, long agents, double seconds, long httpRequests,
               long rowsWritten, double rowsMetric, Map<String, Integer> statuses, long failedHandles,
               Map<String, Double> cpuSeconds, double commitSeconds, double generationWaitSeconds) {
    double agentsPerSecond() {
        return agents / seconds;
    }

    double requestsPerSecond() {
        return httpRequests / seconds;
    }

    /** The benchmark's own components: workers, simulator, api-service, PostgreSQL backends. */
    double totalCpuSeconds() {
        return cpuSeconds.get("workers") + cpuSeconds.get("simulator") + cpuSeconds.get("api")
                + cpuSeconds.get("postgres");
    }

    String perWorkerCpu() {
        StringBuilder sb = new StringBuilder();
        cpuSeconds.forEach((k, v) -> {
            if (k.startsWith("worker-")) {
                sb.append(sb.length() == 0 ? "" : ", ").append(k).append(String.format(Locale.ROOT, " %.1f", v));
            }
        });
        return sb.toString();
    }
}
