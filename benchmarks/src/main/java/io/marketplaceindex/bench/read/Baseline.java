package io.marketplaceindex.bench.read;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the replaced product did to answer a catalog request: load the whole catalog, every agent
 * parsed into memory, then filter and page it there. Run in a JVM of its own (scripts/bench-read
 * gives it {@code --baseline-heap}) so that its heap is measured alone.
 *
 * <p>Rows are parsed and kept until the heap in use (garbage included) passes 70 % of
 * the maximum; past that, the remaining rows are still fetched and parsed (the time stays the time
 * of the whole catalog) but no longer kept, and the memory of the whole catalog is extrapolated
 * from the rows kept. The output says which happened.
 */
public final class Baseline {

    private Baseline() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        String password = args.length > 2 ? args[2] : "";
        JsonMapper json = JsonMapper.builder().build();
        long maxHeap = Runtime.getRuntime().maxMemory();
        gc();
        long heapBefore = usedHeap();

        List<JsonNode> catalog = new ArrayList<>();
        long rows = 0;
        long jsonChars = 0;
        boolean retaining = true;
        long t0 = System.nanoTime();
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            c.setAutoCommit(false); // with a fetch size: streamed through a cursor, not buffered whole
            try (Statement st = c.createStatement()) {
                st.setFetchSize(10_000);
                try (ResultSet rs = st.executeQuery(
                        "SELECT agent FROM marketplace_catalog_rows ORDER BY sort_name, handle, registry_id")) {
                    while (rs.next()) {
                        String text = rs.getString(1);
                        jsonChars += text.length();
                        JsonNode agent = json.readTree(text);
                        rows++;
                        if (retaining) {
                            catalog.add(agent);
                            // heap in use, garbage included: conservative, and it never lets G1 thrash near -Xmx
                            if (rows % 20_000 == 0 && usedHeap() > 0.7 * maxHeap) {
                                retaining = false;
                            }
                        }
                    }
                }
            }
            c.commit();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        gc();
        long retainedBytes = usedHeap() - heapBefore;
        long retainedRows = catalog.size();
        double bytesPerAgent = retainedRows == 0 ? 0 : (double) retainedBytes / retainedRows;
        System.out.println(String.format(Locale.ROOT,
                "BASELINE {\"rows\":%d,\"seconds\":%.3f,\"retainedRows\":%d,\"retainedHeapBytes\":%d,"
                        + "\"bytesPerAgent\":%.1f,\"wholeCatalogHeapBytes\":%d,\"extrapolated\":%s,\"maxHeapBytes\":%d,"
                        + "\"jsonChars\":%d}",
                rows, seconds, retainedRows, retainedBytes, bytesPerAgent, (long) (bytesPerAgent * rows),
                retainedRows < rows, maxHeap, jsonChars));
        // keep the catalog reachable until measured
        if (catalog.size() == -1) {
            System.out.println(catalog.get(0));
        }
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void gc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
    }
}
