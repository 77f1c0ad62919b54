package io.marketplaceindex.registry;

import org.apache.hc.client5.http.classic.methods.HttpGet;

/** Deadline bookkeeping for one attempt: the timer cancels whatever hop is in flight. */
final class Deadline {
    private final long deadlineNanos;
    private volatile HttpGet current;
    private volatile boolean fired;

    Deadline(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
    }

    void begin(HttpGet request) {
        current = request;
        if (passed()) {
            request.cancel();
        }
    }

    void fire() {
        fired = true;
        HttpGet request = current;
        if (request != null) {
            request.cancel();
        }
    }

    boolean passed() {
        return fired || System.nanoTime() - deadlineNanos >= 0;
    }
}
