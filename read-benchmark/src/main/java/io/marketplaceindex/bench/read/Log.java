package io.marketplaceindex.bench.read;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Progress on stderr, in the format of the project's scripts. */
final class Log {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private Log() {
    }

    static void info(String format, Object... args) {
        System.err.println(LocalTime.now().format(TIME) + " " + String.format(Locale.ROOT, format, args));
    }
}
