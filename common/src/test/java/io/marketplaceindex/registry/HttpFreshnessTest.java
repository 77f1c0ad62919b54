package io.marketplaceindex.registry;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Freshness of a response from its headers, one row per case: what a registry may send, and what we make of it. */
class HttpFreshnessTest {

    /** Sun, 06 Nov 1994 08:49:37 GMT, the example date of the HTTP specifications. */
    private static final Instant RECEIVED = Instant.parse("1994-11-06T08:49:37Z");
    private static final String DATE = "Sun, 06 Nov 1994 08:49:37 GMT";
    private static final String DATE_PLUS_10_MIN = "Sun, 06 Nov 1994 08:59:37 GMT";
    private static final String DATE_MINUS_1_MIN = "Sun, 06 Nov 1994 08:48:37 GMT";

    record Case(String name, List<String> cacheControl, String expires, String date, String age, Duration expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case fresh(String name, List<String> cacheControl, String expires, String date, String age,
                              long seconds) {
        return new Case(name, cacheControl, expires, date, age, Duration.ofSeconds(seconds));
    }

    private static Case stale(String name, List<String> cacheControl, String expires, String date, String age) {
        return new Case(name, cacheControl, expires, date, age, Duration.ZERO);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // max-age and s-maxage
                fresh("max-age", List.of("max-age=600"), null, null, null, 600),
                fresh("public, max-age", List.of("public, max-age=600"), null, null, null, 600),
                fresh("directive names are case-insensitive", List.of("Max-Age=60"), null, null, null, 60),
                fresh("quoted value accepted", List.of("max-age=\"60\""), null, null, null, 60),
                fresh("spaces around the list", List.of("  public ,  max-age=60  "), null, null, null, 60),
                fresh("s-maxage wins over max-age", List.of("max-age=60, s-maxage=300"), null, null, null, 300),
                fresh("s-maxage wins even when smaller", List.of("s-maxage=10, max-age=600"), null, null, null, 10),
                fresh("directives over several field lines", List.of("public", "max-age=120"), null, null, null, 120),
                fresh("same max-age twice is fine", List.of("max-age=60", "max-age=60"), null, null, null, 60),
                fresh("must-revalidate with max-age > 0", List.of("max-age=60, must-revalidate"), null, null, null, 60),
                fresh("huge max-age saturates (the caller caps it)", List.of("max-age=99999999999999999999"), null,
                        null, null, HttpFreshness.MAX_DELTA_SECONDS),
                fresh("max-age wins over Expires", List.of("max-age=60"), DATE_PLUS_10_MIN, DATE, null, 60),
                fresh("private is not honoured", List.of("private, max-age=60"), null, null, null, 60),
                stale("max-age=0", List.of("max-age=0"), null, null, null),
                stale("must-revalidate with max-age=0", List.of("max-age=0, must-revalidate"), null, null, null),
                // refusals
                stale("no-store", List.of("no-store, max-age=600"), null, null, null),
                stale("no-cache", List.of("max-age=600, no-cache"), null, null, null),
                stale("qualified no-cache", List.of("no-cache=\"Set-Cookie, X-Foo\", max-age=600"), null, null, null),
                stale("no-cache in another field line", List.of("max-age=600", "no-cache"), null, null, null),
                stale("no-store beats Expires", List.of("no-store"), DATE_PLUS_10_MIN, DATE, null),
                // Expires
                fresh("Expires minus Date", null, DATE_PLUS_10_MIN, DATE, null, 600),
                fresh("Expires minus receipt without Date", List.of(), DATE_PLUS_10_MIN, null, null, 600),
                fresh("Expires minus receipt with an unreadable Date", null, DATE_PLUS_10_MIN, "yesterday", null, 600),
                stale("Expires in the past", null, DATE_MINUS_1_MIN, DATE, null),
                stale("Expires: 0", null, "0", DATE, null),
                stale("Expires: garbage", null, "next tuesday", DATE, null),
                // Age
                fresh("Age subtracted", List.of("max-age=600"), null, null, "100", 500),
                fresh("Age subtracted from Expires", null, DATE_PLUS_10_MIN, DATE, "60", 540),
                fresh("first member of a list-valued Age", List.of("max-age=600"), null, null, "100, 300", 500),
                stale("Age beyond max-age", List.of("max-age=600"), null, null, "601"),
                stale("Age equal to max-age", List.of("max-age=600"), null, null, "600"),
                stale("negative Age", List.of("max-age=600"), null, null, "-5"),
                stale("garbage Age", List.of("max-age=600"), null, null, "old"),
                // garbage
                stale("nothing at all", null, null, null, null),
                stale("no freshness directive", List.of("public"), null, null, null),
                stale("max-age without value", List.of("max-age"), null, null, null),
                stale("max-age empty", List.of("max-age="), null, null, null),
                stale("max-age not a number", List.of("max-age=ten"), null, null, null),
                stale("max-age negative", List.of("max-age=-1"), null, null, null),
                stale("max-age fractional", List.of("max-age=1.5"), null, null, null),
                stale("conflicting max-age", List.of("max-age=60, max-age=6000"), null, null, null),
                stale("invalid s-maxage spoils a valid max-age", List.of("max-age=60, s-maxage=x"), null, null, null),
                stale("invalid max-age does not fall back to Expires", List.of("max-age=x"), DATE_PLUS_10_MIN, DATE,
                        null),
                stale("binary noise", List.of("\u0000\u00ff=,,=;"), null, null, null)
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void freshnessFromHeaders(Case c) {
        assertThat(HttpFreshness.freshFor(c.cacheControl(), c.expires(), c.date(), c.age(), RECEIVED))
                .isEqualTo(c.expected());
    }
}
