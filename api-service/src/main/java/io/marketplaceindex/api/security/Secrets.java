package io.marketplaceindex.api.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

final class Secrets {

    private Secrets() {
    }

    /** Constant-time comparison: how long it takes says nothing about how much of a guess was right. */
    static boolean matches(String expected, String given) {
        if (expected == null || expected.isEmpty() || given == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
