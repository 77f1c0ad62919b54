package io.marketplaceindex.bench.support;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Progress on stderr, in the format of the project's scripts. */
public final class Log {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private Log() {
    }

    public static void info(String format, Object... args) {
        System.err.println(LocalTime.now().format(TIME) + " " + String.format(Locale.ROOT, format, args));
    }
}
