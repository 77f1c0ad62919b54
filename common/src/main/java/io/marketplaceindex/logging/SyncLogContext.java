package io.marketplaceindex.logging;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.slf4j.MDC;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * Puts the registry id and the rebuild id of the sync being handled into the logging context
 * (SLF4J MDC), so that every log line about that sync names both: as fields of the structured
 * (JSON) log lines, and in the plain ones for a pattern that asks for them. Only these two ids go
 * in, never anything a registry was given to authenticate with.
 *
 * <p>Use it with try-with-resources: closing restores the context the thread had before, so a
 * pooled thread never carries one sync's ids into the next task. Tasks handed to another thread
 * take the context along through {@link #propagate(Callable)}, and with
 * {@link #propagate(Callable, ObservationRegistry)} the trace too: where tracing is set up, the trace
 * and span ids are part of the logging context, and the task's own spans belong to the sync's trace.
 */
public final class SyncLogContext implements AutoCloseable {

    public static final String REGISTRY_ID = "registryId";
    public static final String REBUILD_ID = "rebuildId";

    private final Map<String, String> previous;

    private SyncLogContext(Map<String, String> previous) {
        this.previous = previous;
    }

    /**
     * @param registryId the registry, or null when none is known
     * @param rebuildId  the rebuild the sync serves (the command id of the command that asked for
     *                   it), or null when the work is not a sync
     */
    public static SyncLogContext open(UUID registryId, UUID rebuildId) {
        SyncLogContext context = new SyncLogContext(MDC.getCopyOfContextMap());
        put(REGISTRY_ID, registryId);
        put(REBUILD_ID, rebuildId);
        return context;
    }

    /**
     * Runs {@code task}, wherever it runs, with the logging context of the thread that wraps it and
     * inside that thread's current observation (so that what the task observes is its child).
     */
    public static <T> Callable<T> propagate(Callable<T> task, ObservationRegistry observations) {
        Observation current = observations.getCurrentObservation();
        if (current == null) {
            return propagate(task);
        }
        return propagate(() -> {
            // A scope of this thread's own: the observation's scopes are kept per thread.
            try (Observation.Scope ignored = current.openScope()) {
                return task.call();
            }
        });
    }

    /** Runs {@code task}, wherever it runs, with the logging context of the thread that wraps it. */
    public static <T> Callable<T> propagate(Callable<T> task) {
        Map<String, String> captured = MDC.getCopyOfContextMap();
        return () -> {
            Map<String, String> previous = MDC.getCopyOfContextMap();
            restore(captured);
            try {
                return task.call();
            } finally {
                restore(previous);
            }
        };
    }

    @Override
    public void close() {
        restore(previous);
    }

    private static void put(String key, UUID value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value.toString());
        }
    }

    private static void restore(Map<String, String> context) {
        if (context == null || context.isEmpty()) {
            MDC.clear();
        } else {
            MDC.setContextMap(context);
        }
    }
}
