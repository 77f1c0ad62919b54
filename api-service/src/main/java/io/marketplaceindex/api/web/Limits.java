package io.marketplaceindex.api.web;

import java.math.BigInteger;
import java.util.regex.Pattern;

/** Page sizes from requests: a larger one is clamped (as the compatible catalog does), never refused. */
public final class Limits {

    private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?[0-9]{1,1000}");

    private Limits() {
    }

    /**
     * @return {@code defaultValue} when absent, else the number clamped to {@code max} however large
     *         (a number beyond int range is still just "larger")
     * @throws ApiException 400 for anything but a whole number of at least 1
     */
    public static int parse(String name, String raw, int defaultValue, int max) {
        if (raw == null || raw.isBlank()) {
            return defaultValue;
        }
        String trimmed = raw.trim();
        if (!WHOLE_NUMBER.matcher(trimmed).matches()) {
            throw ApiException.badRequest(name + " must be a whole number");
        }
        BigInteger value = new BigInteger(trimmed);
        if (value.signum() <= 0) {
            throw ApiException.badRequest(name + " must be at least 1");
        }
        return value.min(BigInteger.valueOf(max)).intValue();
    }

    /** @throws ApiException 400 unless a whole number within int range */
    public static int integer(String name, String raw) {
        String trimmed = raw.trim();
        if (!WHOLE_NUMBER.matcher(trimmed).matches()) {
            throw ApiException.badRequest(name + " must be a whole number");
        }
        try {
            return Integer.parseInt(trimmed);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + " is out of range");
        }
    }
}
