package io.marketplaceindex.api.rebuild;

import io.marketplaceindex.api.web.ApiException;
import io.marketplaceindex.rebuild.ProgressDetail;
import io.marketplaceindex.rebuild.ProgressStatus;
import io.marketplaceindex.rebuild.SyncCounts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Server-sent events of a rebuild's progress: an event per registry state change, an {@code end}
 * event when every registry has an outcome. Each stream polls the progress (the worker writes it to
 * PostgreSQL; no event carries the intermediate states), so streams are capped per replica and
 * bounded in time.
 */
@Component
@EnableConfigurationProperties(RebuildEventsProperties.class)
class RebuildEventStreams implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RebuildEventStreams.class);

    /**
     * A comment line after this long without an event: a client that went away is only noticed on a
     * write, and would otherwise hold its slot until the maximum duration; proxies keep the stream open too.
     */
    private static final long KEEP_ALIVE_NANOS = Duration.ofSeconds(15).toNanos();
    private static final Duration SAFETY_NET = Duration.ofSeconds(30);

    private final RebuildService rebuilds;
    private final RebuildEventsProperties properties;
    private final Semaphore slots;
    private final ScheduledExecutorService poller;

    RebuildEventStreams(RebuildService rebuilds, RebuildEventsProperties properties) {
        this.rebuilds = rebuilds;
        this.properties = properties;
        this.slots = new Semaphore(properties.maxStreams());
        AtomicInteger threads = new AtomicInteger();
        this.poller = Executors.newScheduledThreadPool(2, task -> {
            Thread thread = new Thread(task, "rebuild-events-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    SseEmitter open(UUID rebuildId) {
        if (!rebuilds.exists(rebuildId)) {
            throw ApiException.notFound("no rebuild " + rebuildId);
        }
        if (!slots.tryAcquire()) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "too many progress streams open (at most "
                    + properties.maxStreams() + " per replica): retry later, or poll the progress",
                    Duration.ofSeconds(5));
        }
        // The stream's own poll ends it at the maximum duration, with a timeout event; the container's
        // async timeout, a little later, is the safety net (an event sent from its callback is lost).
        SseEmitter emitter = new SseEmitter(properties.maxDuration().plus(SAFETY_NET).toMillis());
        Stream stream = new Stream(rebuildId, emitter);
        stream.task = poller.scheduleWithFixedDelay(stream::poll, 0, properties.pollInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        emitter.onTimeout(() -> {
            stream.close();
            emitter.complete();
        });
        emitter.onCompletion(stream::close);
        emitter.onError(e -> stream.close());
        return emitter;
    }

    @Override
    public void destroy() {
        poller.shutdownNow();
    }

    /** One client's stream; its poll runs on the poller, one at a time (fixed delay). */
    private final class Stream {

        private final UUID rebuildId;
        private final SseEmitter emitter;
        private final Map<UUID, RegistryEvent> sent = new HashMap<>();
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile ScheduledFuture<?> task;
        private final long openedAt = System.nanoTime();
        private long lastWrite = openedAt;

        Stream(UUID rebuildId, SseEmitter emitter) {
            this.rebuildId = rebuildId;
            this.emitter = emitter;
        }

        void poll() {
            if (closed.get()) {
                return;
            }
            try {
                RebuildService.Progress progress = rebuilds.progress(rebuildId);
                for (ProgressLine line : progress.registries()) {
                    RegistryEvent event = RegistryEvent.of(line);
                    if (!event.equals(sent.put(line.registryId(), event))) {
                        emitter.send(SseEmitter.event().name("registry").data(event));
                        lastWrite = System.nanoTime();
                    }
                }
                if (System.nanoTime() - lastWrite > KEEP_ALIVE_NANOS) {
                    emitter.send(SseEmitter.event().comment("keep-alive"));
                    lastWrite = System.nanoTime();
                }
                if (progress.ended()) {
                    emitter.send(SseEmitter.event().name("end").data(new EndEvent(progress.rebuildId(),
                            progress.total(), progress.finished(), progress.failed())));
                    close();
                    emitter.complete();
                } else if (System.nanoTime() - openedAt >= properties.maxDuration().toNanos()) {
                    emitter.send(SseEmitter.event().name("timeout").data(new TimeoutEvent(rebuildId.toString(),
                            properties.maxDuration().toString())));
                    close();
                    emitter.complete();
                }
            } catch (IOException | IllegalStateException e) {
                // the client went away (or the emitter already completed): nothing to tell anyone
                close();
            } catch (RuntimeException e) {
                // PostgreSQL unreachable for a moment: the next poll tries again, the stream's time is bounded
                log.warn("progress stream of rebuild {}: {}", rebuildId, e.toString());
            }
        }

        /** Stops polling and releases the slot, once. */
        void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            ScheduledFuture<?> polling = task;
            if (polling != null) {
                polling.cancel(false);
            }
            slots.release();
        }
    }

    /** A registry's line as a client follows it: its state, and the counts or error once it has them. */
    record RegistryEvent(String registryId, String name, ProgressStatus status, SyncCounts counts, String error,
                         String warning, Boolean retrying) {

        static RegistryEvent of(ProgressLine line) {
            ProgressDetail detail = line.detail();
            return new RegistryEvent(line.registryId().toString(), line.name(), line.status(), detail.counts(),
                    detail.error(), detail.warning(), detail.retrying());
        }
    }

    /** Every registry has its outcome. */
    record EndEvent(String rebuildId, int total, long finished, long failed) {
    }

    /** The stream reached its maximum duration before the rebuild ended. */
    record TimeoutEvent(String rebuildId, String maxDuration) {
    }
}
