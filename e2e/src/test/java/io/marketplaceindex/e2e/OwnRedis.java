package io.marketplaceindex.e2e;

import io.marketplaceindex.testsupport.ServiceProcesses;
import io.marketplaceindex.testsupport.StoppableServers;

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
 * A Redis server of a test's own ({@link StoppableServers#redisServerBinary()}, nothing persisted), on a free
 * port, that can be stopped and started again on the same port, which the shared server must never be.
 */
final class OwnRedis implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(30);

    private final int port;
    private final Path log;
    private Process process;

    private OwnRedis(int port, Path log) {
        this.port = port;
        this.log = log.toAbsolutePath();
    }

    static OwnRedis start(Path log) {
        OwnRedis redis = new OwnRedis(ServiceProcesses.freePort(), log);
        redis.startAgain();
        return redis;
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server (again) on its port, empty, and waits until it answers PING. */
    void startAgain() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("Redis is running");
        }
        try {
            Files.createDirectories(log.getParent());
            process = new ProcessBuilder(StoppableServers.redisServerBinary(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server", e);
        }
        long deadline = System.nanoTime() + START.toNanos();
        while (!answersPing()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("Redis did not start on port " + port + "; see " + log);
            }
            ServiceProcesses.sleep(100);
        }
    }

    /** SIGKILL, as a crashed host would do it: what Redis held is gone. */
    void stop() {
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
    }

    @Override
    public void close() {
        stop();
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] answer = in.readNBytes(7);
            return new String(answer, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }
}
