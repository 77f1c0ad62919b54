package io.marketplaceindex.bench.indexer;

/**
 * One wrk run on the simulator (the request-rate floor), with the CPU it and the simulator used (for a
 * load-independent comparison).
 */
record FloorRun(String label, double requestsPerSecond, long requests, double wrkCpuSeconds, double simulatorCpuSeconds,
                String url, String output) {
    double requestsPerCpuSecond() {
        return requests / (wrkCpuSeconds + simulatorCpuSeconds);
    }
}
