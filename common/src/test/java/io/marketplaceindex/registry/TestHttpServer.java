package io.marketplaceindex.registry;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A real HTTP server on 127.0.0.1 with per-path handlers and a log of what it received. */
final class TestHttpServer implements AutoCloseable {

    static {
        // Without it the JDK server delays small responses by ~40 ms (Nagle + delayed ACK).
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    record Seen(String rawPath, String decodedPath, String rawQuery, Headers headers) {
        String header(String name) {
            return headers.getFirst(name);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, HttpHandler> routes = new ConcurrentHashMap<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile HttpHandler fallback = ex -> send(ex, 404, "application/json", "{\"error\":\"not found\"}");

    TestHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-http-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                seen.add(new Seen(exchange.getRequestURI().getRawPath(), exchange.getRequestURI().getPath(),
                        exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders()));
                routes.getOrDefault(exchange.getRequestURI().getRawPath(), fallback).handle(exchange);
            } catch (IOException e) {
                // The client hung up on purpose (limits, deadlines); nothing left to answer.
            }
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Origin as 127.0.0.1. */
    String base() {
        return "http://127.0.0.1:" + port();
    }

    /** The same server under a different origin. */
    String localhostBase() {
        return "http://localhost:" + port();
    }

    TestHttpServer on(String rawPath, HttpHandler handler) {
        routes.put(rawPath, handler);
        return this;
    }

    TestHttpServer json(String rawPath, int status, String body) {
        return on(rawPath, ex -> send(ex, status, "application/json", body));
    }

    TestHttpServer fallback(HttpHandler handler) {
        fallback = handler;
        return this;
    }

    List<Seen> seen() {
        return List.copyOf(seen);
    }

    List<Seen> seen(String rawPath) {
        return seen.stream().filter(s -> s.rawPath().equals(rawPath)).toList();
    }

    static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
        send(ex, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            ex.getResponseHeaders().set("Content-Type", contentType);
        }
        if (status == 304 || body.length == 0) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    static void redirect(HttpExchange ex, int status, String location) throws IOException {
        ex.getResponseHeaders().set("Location", location);
        ex.sendResponseHeaders(status, -1);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
