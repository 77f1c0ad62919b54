package io.marketplaceindex.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Many simulated registries behind one real HTTP server on 127.0.0.1, for tests (embedded),
 * demos and benchmarks (as a separate process, see {@link RegistrySimulatorMain}).
 *
 * <pre>{@code
 * try (RegistrySimulator sim = RegistrySimulator.start(SimulatorOptions.defaults())) {
 *     SimulatedRegistry alpha = sim.addRegistry("alpha", 300, 1L);
 *     String base = alpha.baseUrl();   // http://127.0.0.1:<port>/registries/alpha
 * }
 * }</pre>
 */
public final class RegistrySimulator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RegistrySimulator.class);
    private static final Pattern REGISTRY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._~-]{0,63}");

    private final SimulatorOptions options;
    private final HttpServer server;
    private final ExecutorService executor;
    private final JsonMapper json;
    private final String origin;
    private final Map<String, SimulatedRegistry> registries = new ConcurrentHashMap<>();
    /** Registration order for listings; lookups use the map so requests never take this lock. */
    private final Object orderLock = new Object();
    private volatile List<String> order = List.of();
    private final AtomicLong requests = new AtomicLong();
    private final ControlApi control;

    private RegistrySimulator(SimulatorOptions options, HttpServer server, ExecutorService executor, JsonMapper json) {
        this.options = options;
        this.server = server;
        this.executor = executor;
        this.json = json;
        this.origin = "http://127.0.0.1:" + server.getAddress().getPort();
        this.control = new ControlApi(this, json);
    }

    /** Binds 127.0.0.1 (never a wider interface: it serves hostile content on purpose) and starts serving. */
    public static RegistrySimulator start(SimulatorOptions options) {
        Objects.requireNonNull(options, "options");
        // Without TCP_NODELAY each small response waits for the peer's delayed ACK (~40 ms).
        // The JDK reads this property once, when its server configuration class loads.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), options.port()),
                    options.backlog());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind 127.0.0.1:" + options.port(), e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(options.threads(), daemonThreads());
        server.setExecutor(executor);
        RegistrySimulator sim = new RegistrySimulator(options, server, executor, JsonMapper.builder().build());
        server.createContext("/", sim::handle);
        server.start();
        return sim;
    }

    // ---- registries ----------------------------------------------------------------------------

    /**
     * @param name  URL-safe (letters, digits, {@code . _ ~ -}), at most 64 characters
     * @param agents how many agents the registry lists initially; generated lazily from the seed
     * @throws IllegalArgumentException on a bad or already used name
     */
    public SimulatedRegistry addRegistry(String name, int agents, long seed) {
        if (name == null || !REGISTRY_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("registry name must match " + REGISTRY_NAME + ": " + name);
        }
        if (agents < 0) {
            throw new IllegalArgumentException("agents must not be negative");
        }
        SimulatedRegistry registry = new SimulatedRegistry(name, agents, seed, origin, json, options.latency());
        registry.setCardMaxAge(options.cardMaxAge());
        synchronized (orderLock) {
            if (registries.putIfAbsent(name, registry) != null) {
                throw new IllegalArgumentException("registry already exists: " + name);
            }
            List<String> copy = new ArrayList<>(order);
            copy.add(name);
            order = List.copyOf(copy);
        }
        return registry;
    }

    /** @throws NoSuchElementException when no registry has that name */
    public SimulatedRegistry registry(String name) {
        return findRegistry(name).orElseThrow(() -> new NoSuchElementException("no registry named " + name));
    }

    public Optional<SimulatedRegistry> findRegistry(String name) {
        return Optional.ofNullable(name == null ? null : registries.get(name));
    }

    /** In registration order. */
    public List<SimulatedRegistry> registries() {
        List<SimulatedRegistry> out = new ArrayList<>();
        for (String name : order) {
            SimulatedRegistry r = registries.get(name);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    /** Its URLs answer 404 afterwards. */
    public boolean removeRegistry(String name) {
        synchronized (orderLock) {
            if (registries.remove(name) == null) {
                return false;
            }
            List<String> copy = new ArrayList<>(order);
            copy.remove(name);
            order = List.copyOf(copy);
            return true;
        }
    }

    // ---- server --------------------------------------------------------------------------------

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String baseUrl() {
        return origin;
    }

    public SimulatorOptions options() {
        return options;
    }

    /** Every HTTP request the server received, control requests and 404s included. */
    public long requestCount() {
        return requests.get();
    }

    /** Stops at once: hanging and trickling responses are interrupted, connections dropped. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("registry simulator threads still busy after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) {
        requests.incrementAndGet();
        String rawPath = exchange.getRequestURI().getRawPath();
        List<String> segments = HttpSupport.rawSegments(rawPath == null ? "/" : rawPath);
        Optional<SimulatedRegistry> registry = segments.size() >= 2 && segments.get(0).equals("registries")
                ? HttpSupport.decode(segments.get(1)).flatMap(this::findRegistry)
                : Optional.empty();
        registry.ifPresent(SimulatedRegistry::requestStarted);
        // Counted until its answer starts, not until the exchange is closed: the client may send its
        // next request as soon as it has read this answer, before this thread gets to close().
        boolean[] inFlight = {registry.isPresent()};
        Runnable answering = () -> {
            if (inFlight[0]) {
                inFlight[0] = false;
                registry.get().requestAnswered();
            }
        };
        try {
            Reply reply = dispatch(exchange, segments, registry);
            write(exchange, reply, answering);
        } catch (InterruptedException e) {
            // close() interrupts hangs and trickles; the connection is dropped below.
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The client went away (timeouts are the point of several faults): nothing to answer.
            log.debug("client gone: {}", e.toString());
        } catch (RuntimeException e) {
            log.error("simulator failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            try {
                write(exchange, Reply.json(500, "{\"error\":\"simulator failure\"}".getBytes(StandardCharsets.UTF_8)),
                        answering);
            } catch (IOException | InterruptedException | RuntimeException ignored) {
                // Headers may already be out; dropping the connection is all that is left.
            }
        } finally {
            exchange.close();
            answering.run();
        }
    }

    /** @param registry the registry named by {@code /registries/<name>/...}, if the path is one and it exists */
    private Reply dispatch(HttpExchange exchange, List<String> segments, Optional<SimulatedRegistry> registry)
            throws IOException {
        String method = exchange.getRequestMethod();
        if (segments.isEmpty()) {
            return Reply.text(200, index());
        }
        if (segments.get(0).equals("registries") && segments.size() >= 2) {
            if (registry.isEmpty()) {
                return ControlApi.error(json, 404, "no such registry");
            }
            return registry.get().serve(method, segments.subList(2, segments.size()), exchange.getRequestHeaders());
        }
        if (segments.get(0).equals("control")) {
            byte[] body = exchange.getRequestBody().readNBytes(1 << 20);
            return control.serve(method, segments.subList(1, segments.size()),
                    HttpSupport.query(exchange.getRequestURI().getRawQuery()), body);
        }
        return ControlApi.error(json, 404, "no such path");
    }

    /** @param answering run once the hold is over, right before the answer starts */
    private static void write(HttpExchange exchange, Reply reply, Runnable answering)
            throws IOException, InterruptedException {
        sleep(reply.holdBefore());
        answering.run();
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        byte[] body = reply.body();
        boolean head = exchange.getRequestMethod().equals("HEAD");
        if (body.length == 0 || head || reply.status() == 304 || reply.status() == 204) {
            exchange.sendResponseHeaders(reply.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(reply.status(), body.length);
        OutputStream out = exchange.getResponseBody();
        if (reply.perByte().isZero() || reply.perByte().isNegative()) {
            out.write(body);
        } else {
            for (byte b : body) {
                out.write(b);
                out.flush();
                sleep(reply.perByte());
            }
        }
        out.close();
    }

    private static void sleep(Duration d) throws InterruptedException {
        if (!d.isZero() && !d.isNegative()) {
            Thread.sleep(d.toMillis(), (int) (d.toNanosPart() % 1_000_000));
        }
    }

    private String index() {
        StringBuilder sb = new StringBuilder();
        sb.append("Marketplace Index registry simulator\n\n")
                .append("GET  /registries/{name}/v1/health | /v1/records | /v1/records/{handle} | /cards/{handle}\n")
                .append("GET  /control/registries   GET /control/stats\n")
                .append("POST /control/registries?name=&agents=&seed=\n")
                .append("POST /control/registries/{name}/mutate?count= | remove?handle= | add?handle=&name= |")
                .append(" update?handle=&name= | latency?ms= | auth?token= | card-max-age?seconds= | faults (JSON body)\n")
                .append("DELETE /control/registries/{name} | /control/registries/{name}/faults\n\n")
                .append("Registries:\n");
        for (SimulatedRegistry r : registries()) {
            sb.append("  ").append(r.name()).append(' ').append(r.baseUrl()).append(" agents=").append(r.size()).append('\n');
        }
        return sb.toString();
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread t = new Thread(runnable, "registry-sim-" + counter.incrementAndGet());
            // Daemon: a test that forgets close() must not keep its JVM alive.
            t.setDaemon(true);
            return t;
        };
    }
}
