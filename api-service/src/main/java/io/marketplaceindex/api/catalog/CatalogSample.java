package io.marketplaceindex.api.catalog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * A random sample of the catalog's rows, with just what a substring filter checks, from which the
 * service estimates how many rows a filter matches. PostgreSQL cannot: it estimates
 * {@code LIKE '%needle%'} from a constant (at 5M rows, 500 rows for {@code flat}, which matches
 * 26,281), so it cannot tell when walking the name order is cheaper than reading every match.
 * <p>
 * Every name-ordered {@code q} page asks for an estimate, so it is on the request path. Asking each
 * of 20,000 row strings whether it contains the needle cost 3.5-4 ms a request inside the service
 * (a profile of the read benchmark at 1M: the rows lie all over the heap and are out of cache by the
 * next request), a third of a {@code q} page's time. The texts are therefore kept packed in one
 * Latin-1 string of their UTF-8 bytes, which {@link String#indexOf(String, int)} scans with the
 * vector instructions, jumping from match to match; only the rows it hits are looked at.
 * A needle is a substring of a text exactly when its UTF-8 bytes are a substring of the text's, and
 * the byte between two rows, 0xFF, occurs in no UTF-8, so no match spans two rows. (A needle with a
 * lone surrogate, which no URL-decoded query holds, is estimated as if it had '?' there.) A common
 * needle stops the scan early ({@link #ENOUGH_MATCHES}); the rows are shuffled once so that any prefix
 * is a fair sample.
 */
final class CatalogSample {

    record Row(UUID registryId, List<String> tags, String searchText) {
    }

    /**
     * A common needle's estimate stops once this many rows matched (a relative error of about 4 %,
     * plenty to choose a plan and for a total flagged as an estimate): a needle in half the rows cost
     * 2.4 ms a request scanned to the end (profile of the read benchmark at 1M, {@code q=data}).
     */
    static final int ENOUGH_MATCHES = 500;
    private static final long SHUFFLE_SEED = 7;
    /** Between two rows' texts: 0xFF is never part of UTF-8. */
    private static final char ROW_END = '\u00ff';

    private final List<Row> rows;
    private final long catalogRows;
    /** Every row's search text as UTF-8 bytes (one char per byte), each followed by ROW_END. */
    private final String packed;
    /** Where each row's text starts in {@code packed}; one more entry: the end. */
    private final int[] starts;
    /** Each row's registry, numbered: comparing ints, a stopped scan counts the registry's rows before it. */
    private final int[] registryOf;
    private final Map<UUID, Integer> registryNumbers = new HashMap<>();
    private final int enoughMatches;

    /**
     * @param rows        the sampled rows
     * @param catalogRows the catalog's size when the sample was taken
     */
    CatalogSample(List<Row> rows, long catalogRows) {
        this(rows, catalogRows, ENOUGH_MATCHES);
    }

    /** @param enoughMatches the scan stops at this many rows matching the whole filter */
    CatalogSample(List<Row> rows, long catalogRows, int enoughMatches) {
        // TABLESAMPLE returns rows in table order, clustered by when (and so by registry) they were
        // written: shuffled, every prefix of the sample is a random sample too, and a scan may stop early
        List<Row> shuffled = new ArrayList<>(rows);
        Collections.shuffle(shuffled, new Random(SHUFFLE_SEED));
        this.rows = List.copyOf(shuffled);
        this.catalogRows = catalogRows;
        // a sample that holds the whole catalog (a small one) counts exactly: its estimate is the total
        this.enoughMatches = this.rows.size() >= catalogRows ? Integer.MAX_VALUE : enoughMatches;
        this.registryOf = new int[this.rows.size()];
        this.starts = new int[this.rows.size() + 1];
        StringBuilder text = new StringBuilder(this.rows.size() * 200);
        for (int i = 0; i < this.rows.size(); i++) {
            Row row = this.rows.get(i);
            starts[i] = text.length();
            text.append(latin1(row.searchText())).append(ROW_END);
            registryOf[i] = registryNumbers.computeIfAbsent(row.registryId(), id -> registryNumbers.size());
        }
        starts[this.rows.size()] = text.length();
        this.packed = text.toString();
    }

    List<Row> rows() {
        return rows;
    }

    long catalogRows() {
        return catalogRows;
    }

    /**
     * A filter's estimated matches: in the part of the sample scanned ({@code sampled} rows), the rows
     * the walk passes over ({@code inRange}: in the registry, or all), those of them that match the
     * whole filter, and those that contain the needle (which the index route reads, whatever the other
     * filters).
     */
    record Estimate(long sampled, long inRange, long matching, long containing, long catalogRows) {

        /** Rows of the walk's range it passes over to find {@code wanted} matches; MAX_VALUE when none matched. */
        long walkEntries(long wanted) {
            if (matching == 0) {
                return Long.MAX_VALUE;
            }
            return (long) Math.ceil((double) wanted * inRange / matching);
        }

        /** Rows the index route reads: every row containing the needle. */
        long indexRows() {
            return Math.round(containing * scale());
        }

        /** Rows matching the whole filter. */
        long matches() {
            return Math.round(matching * scale());
        }

        private double scale() {
            return sampled == 0 ? 0 : (double) catalogRows / sampled;
        }
    }

    /**
     * @param registryId the one registry the filter names, or null
     * @param tags       rows having any of these (none: no tag filter)
     */
    Estimate estimate(String needle, List<String> tags, UUID registryId) {
        int registry = registryId == null ? -1 : registryNumbers.getOrDefault(registryId, -2);
        long matching = 0;
        long containing = 0;
        int scanned = rows.size();
        String wanted = latin1(needle);
        int row = 0;
        // an empty needle is found at the very end too, past the last row
        for (int at = packed.indexOf(wanted); at >= 0 && at < packed.length();
             at = packed.indexOf(wanted, starts[row + 1])) {
            row = rowAt(at, row);
            containing++;
            if ((registry == -1 || registryOf[row] == registry) && hasAny(rows.get(row).tags(), tags)
                    && ++matching >= enoughMatches) {
                scanned = row + 1;
                break;
            }
        }
        return new Estimate(scanned, inRange(registry, scanned), matching, containing, catalogRows);
    }

    /** Rows of the registry ({@code -1}: any) among the first {@code scanned}. */
    private long inRange(int registry, int scanned) {
        if (registry == -1) {
            return scanned;
        }
        long in = 0;
        for (int i = 0; i < scanned; i++) {
            if (registryOf[i] == registry) {
                in++;
            }
        }
        return in;
    }

    /** The row whose text holds position {@code at}, searching forward from {@code from} (matches come in order). */
    private int rowAt(int at, int from) {
        if (starts[from + 1] > at) {
            return from;
        }
        int found = Arrays.binarySearch(starts, from + 1, starts.length, at);
        return found >= 0 ? found : -found - 2;
    }

    private static boolean hasAny(List<String> rowTags, List<String> wanted) {
        if (wanted.isEmpty()) {
            return true;
        }
        for (String tag : wanted) {
            if (rowTags.contains(tag)) {
                return true;
            }
        }
        return false;
    }

    /** The UTF-8 bytes of {@code text}, one Latin-1 char each: a compact string that indexOf scans fast. */
    private static String latin1(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }
}
