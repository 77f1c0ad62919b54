package io.marketplaceindex.registry;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How long a response stays fresh after it was received (RFC 9111 §4.2), read as a shared cache
 * reads it: {@code s-maxage} over {@code max-age} over {@code Expires}, minus {@code Age}.
 *
 * <p>Everything a registry sends may be hostile or simply wrong, so the reading is conservative:
 * anything that cannot be read for sure means "not fresh" (the caller revalidates, which costs one
 * conditional request and is never wrong). In particular:
 * <ul>
 *   <li>{@code no-store} or {@code no-cache} (qualified or not) anywhere: not fresh;</li>
 *   <li>an invalid or repeated-and-conflicting {@code max-age} / {@code s-maxage}: not fresh
 *       (RFC 9111 §4.2.1 encourages treating invalid freshness information as stale);</li>
 *   <li>an {@code Expires} that is not an HTTP-date (e.g. {@code 0}): already expired (§5.3);</li>
 *   <li>an invalid {@code Age}: not fresh. §5.1 would ignore it; an intermediary that cannot
 *       count is a better reason to ask again than to trust the rest of its headers.</li>
 * </ul>
 * {@code must-revalidate} needs no rule of its own: the caller revalidates whatever is stale, and
 * with {@code max-age=0} nothing is fresh to begin with. {@code private} is not honoured: the index
 * keeps cards whatever their headers say, this only decides when to ask again.
 *
 * <p>The {@code Date} header is only used against {@code Expires} (both come from the server's
 * clock, so clock skew cancels out). It is not used for an "apparent age" of {@code max-age}
 * answers: at one-second resolution and with registries' clocks off by minutes, it would cost
 * freshness for no safety the caller's cap does not already give.
 */
public final class HttpFreshness {

    /** RFC 9111 §1.2.2: larger delta-seconds are read as this; the caller's cap applies anyway. */
    static final long MAX_DELTA_SECONDS = 2_147_483_648L;

    private HttpFreshness() {
    }

    /**
     * @param cacheControl every {@code Cache-Control} field line, in order (none: empty list)
     * @param expires      the {@code Expires} header, or null
     * @param date         the {@code Date} header, or null
     * @param age          the {@code Age} header, or null
     * @param receivedAt   when the response arrived, by the caller's clock
     * @return how long after {@code receivedAt} the response stays fresh; {@link Duration#ZERO}
     *         when it is not fresh at all. Never null, never negative.
     */
    public static Duration freshFor(List<String> cacheControl, String expires, String date, String age,
                                    Instant receivedAt) {
        Directives directives = Directives.parse(cacheControl);
        if (directives.invalid || directives.noStore || directives.noCache) {
            return Duration.ZERO;
        }
        Duration lifetime;
        if (directives.sMaxAge >= 0) {
            lifetime = Duration.ofSeconds(directives.sMaxAge);
        } else if (directives.maxAge >= 0) {
            lifetime = Duration.ofSeconds(directives.maxAge);
        } else if (expires != null) {
            Instant expiresAt = httpDate(expires);
            if (expiresAt == null) {
                return Duration.ZERO;
            }
            Instant dateAt = date == null ? null : httpDate(date);
            lifetime = Duration.between(dateAt == null ? receivedAt : dateAt, expiresAt);
        } else {
            // No explicit freshness: heuristic freshness (§4.2.2) is a guess we do not make.
            return Duration.ZERO;
        }
        if (age != null) {
            long ageSeconds = deltaSeconds(firstListMember(age));
            if (ageSeconds < 0) {
                return Duration.ZERO;
            }
            lifetime = lifetime.minusSeconds(ageSeconds);
        }
        return lifetime.isNegative() ? Duration.ZERO : lifetime;
    }

    /** The directives that matter here; -1 for an absent age directive. */
    private static final class Directives {
        boolean noStore;
        boolean noCache;
        boolean invalid;
        long maxAge = -1;
        long sMaxAge = -1;

        static Directives parse(List<String> lines) {
            Directives d = new Directives();
            if (lines == null) {
                return d;
            }
            for (String line : lines) {
                if (line == null) {
                    continue;
                }
                for (String directive : splitDirectives(line)) {
                    d.add(directive.trim());
                }
            }
            return d;
        }

        private void add(String directive) {
            if (directive.isEmpty()) {
                return;
            }
            int eq = directive.indexOf('=');
            String name = (eq < 0 ? directive : directive.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : unquote(directive.substring(eq + 1).trim());
            switch (name) {
                case "no-store" -> noStore = true;
                // no-cache="field" allows reuse without those fields; we store the whole card, so any form counts
                case "no-cache" -> noCache = true;
                case "max-age" -> maxAge = merge(maxAge, value);
                case "s-maxage" -> sMaxAge = merge(sMaxAge, value);
                default -> {
                    // other directives (public, private, must-revalidate, immutable, extensions) change nothing here
                }
            }
        }

        /** A second occurrence must agree with the first; otherwise nothing about freshness is certain. */
        private long merge(long previous, String value) {
            long seconds = value == null ? -1 : deltaSeconds(value);
            if (seconds < 0 || (previous >= 0 && previous != seconds)) {
                invalid = true;
            }
            return seconds;
        }
    }

    /** Splits on commas outside quoted strings (a quoted no-cache field list may contain commas). */
    private static List<String> splitDirectives(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                out.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        out.add(current.toString());
        return out;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    private static String firstListMember(String value) {
        int comma = value.indexOf(',');
        return (comma < 0 ? value : value.substring(0, comma)).trim();
    }

    /** RFC 9111 §1.2.2 delta-seconds: digits only; -1 when invalid; saturates instead of overflowing. */
    static long deltaSeconds(String value) {
        String v = value.trim();
        if (v.isEmpty() || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        if (v.length() > 10) {
            return MAX_DELTA_SECONDS;
        }
        return Math.min(Long.parseLong(v), MAX_DELTA_SECONDS);
    }

    /** An IMF-fixdate (the form every current server sends); null when unreadable. */
    private static Instant httpDate(String value) {
        try {
            return ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
