package io.marketplaceindex.api.catalog;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Picks the part of a long {@code q} that the trigram index should search for.
 * <p>
 * For {@code search_text LIKE '%needle%'} PostgreSQL's trigram GIN index intersects the posting
 * lists of every trigram of the needle. A long needle made of common syllables reads the long lists
 * of its most common trigrams, although a few rare trigrams would narrow the rows just as well: at
 * 5M rows an 18-letter word of 201 matches read 2,400 index pages (26 ms), while three of its
 * trigrams each occur in under 21,000 rows. So the index is asked for the five-character window of
 * the needle whose three trigrams are the rarest, and the whole needle is checked on the rows it
 * returns ({@code strpos}, which the index cannot serve, hence a recheck only). The answer is the same
 * by construction: a row containing the needle contains every window of it.
 * <p>
 * Trigram frequencies come from a random sample of the rows, taken in the background at start and
 * then every {@code marketplace.catalog.trigram-sample-interval}; until the first sample (or with the
 * feature off) every needle is searched whole, as before. The sampled rows are kept too
 * ({@link CatalogSample}), for {@link NameWalk}'s estimates.
 */
@Component
public class SubstringNarrowing implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SubstringNarrowing.class);

    /** Three trigrams: long enough to be selective, short enough to avoid the needle's common parts. */
    static final int WINDOW = 5;
    /** Rows sampled for the frequencies: enough to tell rare from common trigrams. */
    private static final long SAMPLE_ROWS = 20_000;
    /**
     * A window is used only when its rarest trigram is in at most this share of the rows: otherwise
     * the recheck of its candidates could cost more than the whole needle's index scan.
     */
    private static final double MAX_CANDIDATE_SHARE = 0.005;

    /** A sample: trigram document frequency as a share of the rows. */
    record Frequencies(Map<String, Double> shares, long sampledRows) {
        double share(String trigram) {
            return shares.getOrDefault(trigram, 0.0);
        }

        /** The share of the rows whose search text has each trigram, counted once a row. */
        static Frequencies of(List<CatalogSample.Row> rows) {
            int[] counts = new int[TRIGRAMS];
            int[] seenInRow = new int[TRIGRAMS];
            for (int r = 0; r < rows.size(); r++) {
                int stamp = r + 1;
                asciiTrigrams(rows.get(r).searchText(), code -> {
                    if (seenInRow[code] != stamp) {
                        seenInRow[code] = stamp;
                        counts[code]++;
                    }
                });
            }
            Map<String, Double> shares = new HashMap<>();
            for (int code = 0; code < TRIGRAMS; code++) {
                if (counts[code] > 0) {
                    shares.put(decode(code), (double) counts[code] / rows.size());
                }
            }
            return new Frequencies(Map.copyOf(shares), rows.size());
        }
    }

    /** Trigrams of a-z and 0-9, numbered 0 … 36³ - 1. */
    private static final int TRIGRAMS = 36 * 36 * 36;

    /**
     * Calls {@code sink} with the code of every trigram of three ASCII letters or digits in the text,
     * lower-cased: pg_trgm's {@code show_trgm} trigrams without its word padding and without non-ASCII
     * letters, the ones {@link #choose} asks about (a run of three such characters is inside one of
     * pg_trgm's words whatever it takes a letter to be, so the two agree).
     */
    static void asciiTrigrams(String text, IntConsumer sink) {
        int run = 0;
        int code = 0;
        for (int i = 0; i < text.length(); i++) {
            int digit = base36(text.charAt(i));
            if (digit < 0) {
                run = 0;
                continue;
            }
            code = (code * 36 + digit) % TRIGRAMS;
            if (++run >= 3) {
                sink.accept(code);
            }
        }
    }

    private static int base36(char c) {
        if (c >= 'a' && c <= 'z') {
            return c - 'a';
        }
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= '0' && c <= '9') {
            return 26 + c - '0';
        }
        return -1;
    }

    private static String decode(int code) {
        char[] chars = new char[3];
        for (int i = 2; i >= 0; i--) {
            int digit = code % 36;
            chars[i] = (char) (digit < 26 ? 'a' + digit : '0' + digit - 26);
            code /= 36;
        }
        return new String(chars);
    }

    private final JdbcClient jdbc;
    private final CountBudget budget;
    private final AtomicReference<Frequencies> frequencies = new AtomicReference<>();
    private final AtomicReference<CatalogSample> rowSample = new AtomicReference<>();
    private final ScheduledExecutorService sampler;

    SubstringNarrowing(JdbcClient jdbc, CountBudget budget, CatalogProperties properties) {
        this.jdbc = jdbc;
        this.budget = budget;
        Duration interval = properties.trigramSampleInterval();
        if (interval.isZero()) {
            this.sampler = null;
            return;
        }
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trigram-sample");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleWithFixedDelay(this::refreshQuietly, 1, interval.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * The window to search the index for, or empty to search for the whole needle (no sample yet, a
     * needle with no ASCII run of {@value #WINDOW} letters or digits, or no window rare enough).
     */
    public Optional<String> window(String needle) {
        return choose(needle, frequencies.get());
    }

    static Optional<String> choose(String needle, Frequencies sample) {
        if (sample == null || needle == null || needle.length() <= WINDOW) {
            return Optional.empty();
        }
        String best = null;
        double bestCost = Double.MAX_VALUE;
        double bestRarest = 1;
        int runStart = -1;
        for (int i = 0; i <= needle.length(); i++) {
            boolean word = i < needle.length() && isAsciiWordChar(needle.charAt(i));
            if (word && runStart < 0) {
                runStart = i;
            } else if (!word && runStart >= 0) {
                for (int start = runStart; start + WINDOW <= i; start++) {
                    String window = needle.substring(start, start + WINDOW);
                    double cost = 0;
                    double rarest = 1;
                    for (int t = 0; t + 3 <= WINDOW; t++) {
                        double share = sample.share(window.substring(t, t + 3));
                        cost += share; // the posting lists the index scan reads
                        rarest = Math.min(rarest, share); // bounds the rows it returns for the recheck
                    }
                    if (cost < bestCost) {
                        best = window;
                        bestCost = cost;
                        bestRarest = rarest;
                    }
                }
                runStart = -1;
            }
        }
        if (best == null || bestRarest > MAX_CANDIDATE_SHARE || best.equals(needle)) {
            return Optional.empty();
        }
        return Optional.of(best);
    }

    /** pg_trgm builds trigrams from letters and digits; ASCII only, so that its case folding is ours. */
    private static boolean isAsciiWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    /** Samples the index now (also used by tests after they load rows). */
    public void refresh() {
        long rows = jdbc.sql(CatalogRepository.CATALOG_TOTAL).query(Long.class).single();
        if (rows == 0) {
            frequencies.set(null);
            rowSample.set(null);
            return;
        }
        // TABLESAMPLE SYSTEM reads whole pages at random: a sample costs a few thousand page reads, once
        double percent = Math.min(100.0, 100.0 * SAMPLE_ROWS / rows);
        Optional<CatalogSample> sample = budget.run(() -> new CatalogSample(jdbc.sql("""
                        SELECT registry_id, tags, search_text FROM marketplace_catalog_rows TABLESAMPLE SYSTEM (?) REPEATABLE (7)
                        """)
                .param(percent)
                .query((rs, n) -> new CatalogSample.Row(rs.getObject("registry_id", UUID.class),
                        List.of((String[]) rs.getArray("tags").getArray()), rs.getString("search_text")))
                .list(), rows), Duration.ofSeconds(60));
        if (sample.isEmpty() || sample.get().rows().isEmpty()) {
            // out of time, or an empty sample: the previous samples stay
            return;
        }
        Frequencies shares = Frequencies.of(sample.get().rows());
        frequencies.set(shares);
        rowSample.set(sample.get());
        log.debug("trigram sample: {} rows, {} trigrams", shares.sampledRows(), shares.shares().size());
    }

    /** The latest sample of whole rows, or empty before the first one (or with sampling off). */
    Optional<CatalogSample> sample() {
        return Optional.ofNullable(rowSample.get());
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            // the previous sample (or none: whole needles) stays; the next round retries
            log.warn("trigram sample failed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        if (sampler != null) {
            sampler.shutdownNow();
        }
    }
}
