package io.marketplaceindex.testsupport;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Awaitility for a wait on something read again and again (a probe, a page of the API): the failure
 * says what the last read returned, which is what one looks at first when a wait times out. For a
 * plain condition, call Awaitility directly.
 */
public final class LastAnswer {

    private LastAnswer() {
    }

    /**
     * Reads every {@code interval} until the answer matches.
     *
     * @return the matching answer
     * @throws AssertionError naming {@code what} and the last answer when none matched within {@code timeout}
     */
    public static <T> T await(String what, Duration timeout, Duration interval, Supplier<T> read,
                              Predicate<? super T> condition) {
        AtomicReference<T> last = new AtomicReference<>();
        try {
            return Awaitility.await(what).atMost(timeout).pollInterval(interval).until(() -> {
                last.set(read.get());
                return last.get();
            }, condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("timed out waiting for " + what + " (" + timeout + "); last answer: "
                    + last.get(), e);
        }
    }
}
