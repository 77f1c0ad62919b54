package io.marketplaceindex.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of a test's own on 127.0.0.1, nothing persisted. Stopped with SIGKILL, as a
 * crashed host would stop it: with nothing persisted a clean shutdown would keep nothing more, and the
 * port is free at once.
 */
final class RedisServer implements StoppableServers.Stoppable {

    private static final Duration START = Duration.ofSeconds(30);

    private final int port;
    /** null: the output is discarded */
    private final Path log;
    private Process process;

    RedisServer(int port, Path log) {
        this.port = port;
        this.log = log;
    }

    @Override
    public int port() {
        return port;
    }

    /** Starts the server (again) on its port, empty, and waits until it answers PING. */
    @Override
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(StoppableServers.redisServerBinary(), "--port",
                    String.valueOf(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
                    .redirectErrorStream(true);
            if (log == null) {
                builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            } else {
                Files.createDirectories(log.getParent());
                builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            }
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server", e);
        }
        long deadline = System.nanoTime() + START.toNanos();
        while (!answersPing()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("Redis did not start on port " + port
                        + (log == null ? "" : "; see " + log));
            }
            ServiceProcesses.sleep(50);
        }
    }

    @Override
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Redis (pid " + process.pid() + ") did not end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        process = null;
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            return new String(in.readNBytes(7), StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }
}
