package io.marketplaceindex.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * How the simulator's HTTP server runs.
 *
 * @param port    TCP port on 127.0.0.1; 0 picks a free one (tests), a fixed one suits demos
 * @param threads handler threads; every latency, hang or slow-body fault holds one of them, so
 *                benchmarks with latency need more threads than concurrent clients
 * @param latency added before every registry response, on top of each registry's own latency
 * @param backlog accept queue length; the JDK default (50) drops connections under benchmark fan-out
 * @param cardMaxAge when set, every registry created afterwards sends {@code Cache-Control: max-age=<seconds>}
 *                   on its cards (200 and 304) unless told otherwise; null (the default) sends no freshness,
 *                   so an indexer revalidates every card on every sync
 */
public record SimulatorOptions(int port, int threads, Duration latency, int backlog, Duration cardMaxAge) {

    public SimulatorOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        Objects.requireNonNull(latency, "latency");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative");
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1, got " + backlog);
        }
        SimulatedRegistry.checkCardMaxAge(cardMaxAge);
    }

    public static SimulatorOptions defaults() {
        return new SimulatorOptions(0, 16, Duration.ZERO, 1024, null);
    }

    public SimulatorOptions withPort(int newPort) {
        return new SimulatorOptions(newPort, threads, latency, backlog, cardMaxAge);
    }

    public SimulatorOptions withThreads(int newThreads) {
        return new SimulatorOptions(port, newThreads, latency, backlog, cardMaxAge);
    }

    public SimulatorOptions withLatency(Duration newLatency) {
        return new SimulatorOptions(port, threads, newLatency, backlog, cardMaxAge);
    }

    public SimulatorOptions withBacklog(int newBacklog) {
        return new SimulatorOptions(port, threads, latency, newBacklog, cardMaxAge);
    }

    /** @param newCardMaxAge whole seconds, or null for no Cache-Control on cards */
    public SimulatorOptions withCardMaxAge(Duration newCardMaxAge) {
        return new SimulatorOptions(port, threads, latency, backlog, newCardMaxAge);
    }
}
