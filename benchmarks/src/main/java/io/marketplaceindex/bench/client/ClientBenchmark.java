package io.marketplaceindex.bench.client;

import io.marketplaceindex.bench.support.MachineInfo;
import io.marketplaceindex.bench.support.Cli;
import io.marketplaceindex.registry.RegistryClient;
import io.marketplaceindex.registry.RegistryClientSettings;
import io.marketplaceindex.registry.RegistryEndpoint;
import io.marketplaceindex.testsupport.ServiceProcesses;
import io.marketplaceindex.testsupport.ServiceProcesses.ServiceProcess;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What one registry request costs the client that makes it, for the worker's client and others,
 * against the project's registry simulator in its own process: requests/s and this JVM's CPU per
 * request (the simulator's CPU is reported beside it, not counted). Every variant fetches the same
 * record URLs, without conditional headers, with the same number of requests in flight: the blocking
 * ones from a fixed pool of threads, each thread waiting for its answer as a fetch lane does; the
 * event-driven ones from their clients' I/O threads, each answer sending the next request.
 *
 * <p>Why it exists: on 2 cores the HTTP client, not the registry, bounds a rebuild's request
 * rate, so the client is chosen by measurement.
 */
public final class ClientBenchmark {

    /** The command line (picocli): {@code scripts/bench-client --help} prints it. */
    @Command(name = "scripts/bench-client", sortOptions = false,
            description = "What one registry request costs the client that makes it.")
    static final class Flags {
        @Option(names = "--threads", paramLabel = "N", defaultValue = "16",
                description = "requests in flight (default ${DEFAULT-VALUE}, a worker's fetch lanes): for the blocking"
                        + " variants one thread each")
        int threads;
        @Option(names = "--seconds", paramLabel = "N", defaultValue = "15",
                description = "measured time per variant (default ${DEFAULT-VALUE})")
        int seconds;
        @Option(names = "--warmup-seconds", paramLabel = "N", defaultValue = "10",
                description = "unmeasured time per variant, all before the first measurement (default ${DEFAULT-VALUE})")
        int warmupSeconds;
        @Option(names = "--out", paramLabel = "FILE", description = "report (default benchmarks/results/client-<date>.md)")
        Path out;
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;

        Options options() {
            return new Options(Cli.atLeast("--threads", threads, 1), Cli.atLeast("--seconds", seconds, 1),
                    Cli.atLeast("--warmup-seconds", warmupSeconds, 1),
                    out != null ? out : Path.of("benchmarks/results/client-" + LocalDate.now(ZoneOffset.UTC) + ".md"));
        }
    }

    record Options(int threads, int seconds, int warmupSeconds, Path out) {
    }

    /** One way of fetching a record URL: returns the bytes of the body it read. */
    interface Fetch {
        int get(int handleIndex) throws Exception;
    }

    /** An event-driven fetch: completes with the bytes of the body it read, on the client's own thread. */
    interface AsyncFetch {
        CompletableFuture<Integer> get(int handleIndex);
    }

    /** Exactly one of {@code fetch} (blocking, from a pool of threads) and {@code asyncFetch} is set. */
    record Variant(String name, Fetch fetch, AsyncFetch asyncFetch) {
        static Variant blocking(String name, Fetch fetch) {
            return new Variant(name, fetch, null);
        }

        static Variant async(String name, AsyncFetch fetch) {
            return new Variant(name, null, fetch);
        }
    }

    record Result(String name, long requests, double seconds, double clientCpu, double simulatorCpu) {
        double requestsPerSecond() {
            return requests / seconds;
        }

        double clientMicrosPerRequest() {
            return clientCpu * 1e6 / requests;
        }

        double simulatorMicrosPerRequest() {
            return simulatorCpu * 1e6 / requests;
        }
    }

    public static void main(String[] argv) throws Exception {
        Options options = Cli.parseOrExit(new Flags(), argv, Flags::options).orElse(null);
        if (options == null) {
            return;
        }
        Path repo = Path.of(".").toAbsolutePath().normalize();
        try (ServiceProcesses processes = new ServiceProcesses(repo.resolve("benchmarks/target/bench-logs/client"))) {
            int port = ServiceProcesses.freePort();
            ServiceProcess simulator = processes.start("simulator",
                    repo.resolve("registry-simulator/target/registry-simulator.jar"), List.of("-Xmx1g"),
                    List.of("--port", String.valueOf(port), "--registries", "1", "--agents", "1000", "--seed", "1",
                            "--threads", "128", "--latency-ms", "0", "--name-prefix", "bench"),
                    Map.of(), port);
            processes.awaitHttp(simulator, "/control/registries", Duration.ofSeconds(60));
            Instant started = Instant.now();
            List<Result> results = run(options, simulator);
            String report = report(options, results, started);
            Files.createDirectories(options.out().toAbsolutePath().getParent());
            Files.writeString(options.out(), report, StandardCharsets.UTF_8);
            System.out.println(report);
            System.out.println("report written to " + options.out());
        }
    }

    private static List<Result> run(Options options, ServiceProcess simulator) throws Exception {
        String base = simulator.url() + "/registries/bench-1";
        RegistryEndpoint registry = new RegistryEndpoint("bench-1", base, null);
        RegistryClientSettings settings = RegistryClientSettings.of(Map.of("allow-loopback", true,
                "max-connections-per-route", options.threads(), "max-connections-total", options.threads()));
        List<Result> results = new ArrayList<>();
        try (RegistryClient registryClient = new RegistryClient(settings, new SimpleMeterRegistry());
             CloseableHttpClient apache = apacheClient(options.threads());
             CloseableHttpAsyncClient apacheAsyncOneThread = apacheAsyncClient(options.threads(), 1);
             CloseableHttpAsyncClient apacheAsyncTwoThreads = apacheAsyncClient(options.threads(), 2)) {
            // The simulator's catalog includes handles that need percent-encoding; the bare clients get
            // URLs as they are, so every variant fetches only the plain ones.
            List<String> handles = registryClient.listHandles(registry).handles().stream()
                    .filter(h -> h.matches("[A-Za-z0-9._-]+"))
                    .toList();
            List<URI> urls = handles.stream().map(h -> URI.create(base + "/v1/records/" + h)).toList();
            HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            List<Variant> variants = List.of(
                    Variant.blocking("RegistryClient.recordFetch (the worker's path: Apache HttpClient 5 classic"
                            + " with guards, deadline, retry, circuit breaker, JSON parsing)",
                            i -> registryClient.recordFetch(registry, handles.get(i), null).rawBody().length),
                    Variant.blocking("Apache HttpClient 5 classic, pooled, body read, nothing else",
                            i -> {
                                try (ClassicHttpResponse response = apache.executeOpen(null,
                                        new HttpGet(urls.get(i)), null)) {
                                    return EntityUtils.toByteArray(response.getEntity()).length;
                                }
                            }),
                    Variant.blocking("java.net.http.HttpClient, blocking send, body read, nothing else",
                            i -> jdk.send(jdkRequest(urls.get(i)), HttpResponse.BodyHandlers.ofByteArray()).body().length),
                    Variant.async("Apache HttpClient 5 async, 1 I/O thread, body read, nothing else",
                            i -> apacheAsyncFetch(apacheAsyncOneThread, urls.get(i))),
                    Variant.async("Apache HttpClient 5 async, 2 I/O threads, body read, nothing else",
                            i -> apacheAsyncFetch(apacheAsyncTwoThreads, urls.get(i))),
                    Variant.async("java.net.http.HttpClient, sendAsync, body read, nothing else",
                            i -> jdk.sendAsync(jdkRequest(urls.get(i)), HttpResponse.BodyHandlers.ofByteArray())
                                    .thenApply(response -> response.body().length)));
            // All warm-ups before any measurement: the first variant would otherwise be measured while
            // the JIT still compiles the code the others share (a quarter of the CPU after 10 s of it).
            for (Variant variant : variants) {
                System.out.println("warming up: " + variant.name());
                measure(variant, urls.size(), options.threads(), options.warmupSeconds(), simulator);
            }
            for (Variant variant : variants) {
                System.out.println("measuring: " + variant.name());
                Result result = measure(variant, urls.size(), options.threads(), options.seconds(), simulator);
                System.out.printf(Locale.ROOT, "  %,.0f requests/s, %.1f µs client CPU per request%n",
                        result.requestsPerSecond(), result.clientMicrosPerRequest());
                results.add(result);
            }
        }
        return results;
    }

    private static CloseableHttpClient apacheClient(int threads) {
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnPerRoute(threads)
                        .setMaxConnTotal(threads)
                        .setDefaultSocketConfig(SocketConfig.custom().setSoTimeout(Timeout.ofSeconds(10))
                                .setTcpNoDelay(true).build())
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofSeconds(5)).build())
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .build();
    }

    private static HttpRequest jdkRequest(URI url) {
        return HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build();
    }

    /** The event-driven client with the classic one's settings, on {@code ioThreads} I/O reactor threads. */
    private static CloseableHttpAsyncClient apacheAsyncClient(int inFlight, int ioThreads) {
        CloseableHttpAsyncClient client = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setMaxConnPerRoute(inFlight)
                        .setMaxConnTotal(inFlight)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofSeconds(5))
                                .setSocketTimeout(Timeout.ofSeconds(10)).build())
                        .build())
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(ioThreads).setTcpNoDelay(true).build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .build();
        client.start();
        return client;
    }

    private static CompletableFuture<Integer> apacheAsyncFetch(CloseableHttpAsyncClient client, URI url) {
        CompletableFuture<Integer> body = new CompletableFuture<>();
        client.execute(SimpleRequestBuilder.get(url).build(), new FutureCallback<SimpleHttpResponse>() {
            @Override
            public void completed(SimpleHttpResponse response) {
                byte[] bytes = response.getBodyBytes();
                body.complete(bytes == null ? 0 : bytes.length);
            }

            @Override
            public void failed(Exception e) {
                body.completeExceptionally(e);
            }

            @Override
            public void cancelled() {
                body.cancel(false);
            }
        });
        return body;
    }

    private static Result measure(Variant variant, int handles, int threads, int seconds, ServiceProcess simulator)
            throws Exception {
        if (variant.asyncFetch() != null) {
            return measureAsync(variant, handles, threads, seconds, simulator);
        }
        AtomicLong requests = new AtomicLong();
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        double clientBefore = MachineInfo.processCpuSeconds(ProcessHandle.current().pid());
        double simulatorBefore = MachineInfo.processCpuSeconds(simulator.pid());
        long startedNanos = System.nanoTime();
        try {
            List<Future<?>> lanes = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t * (handles / threads);
                lanes.add(pool.submit(() -> {
                    int i = first;
                    while (System.nanoTime() < deadline) {
                        if (variant.fetch().get(i) <= 0) {
                            throw new IllegalStateException("empty body from " + variant.name());
                        }
                        requests.incrementAndGet();
                        i = (i + 1) % handles;
                    }
                    return null;
                }));
            }
            for (Future<?> lane : lanes) {
                lane.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double elapsed = (System.nanoTime() - startedNanos) / 1e9;
        return new Result(variant.name(), requests.get(), elapsed,
                MachineInfo.processCpuSeconds(ProcessHandle.current().pid()) - clientBefore,
                MachineInfo.processCpuSeconds(simulator.pid()) - simulatorBefore);
    }

    /**
     * Keeps {@code inFlight} requests going without a thread per request: each answer, on the client's
     * own thread, counts and sends the next request of its chain until the time is up.
     */
    private static Result measureAsync(Variant variant, int handles, int inFlight, int seconds,
                                       ServiceProcess simulator) throws Exception {
        AtomicLong requests = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch chainsDone = new CountDownLatch(inFlight);
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        double clientBefore = MachineInfo.processCpuSeconds(ProcessHandle.current().pid());
        double simulatorBefore = MachineInfo.processCpuSeconds(simulator.pid());
        long startedNanos = System.nanoTime();
        for (int chain = 0; chain < inFlight; chain++) {
            continueChain(variant, chain * (handles / inFlight), handles, deadline, requests, failure, chainsDone);
        }
        chainsDone.await();
        double elapsed = (System.nanoTime() - startedNanos) / 1e9;
        if (failure.get() != null) {
            throw new IllegalStateException(variant.name() + " failed", failure.get());
        }
        return new Result(variant.name(), requests.get(), elapsed,
                MachineInfo.processCpuSeconds(ProcessHandle.current().pid()) - clientBefore,
                MachineInfo.processCpuSeconds(simulator.pid()) - simulatorBefore);
    }

    private static void continueChain(Variant variant, int handleIndex, int handles, long deadline, AtomicLong requests,
                                      AtomicReference<Throwable> failure, CountDownLatch chainsDone) {
        if (System.nanoTime() >= deadline || failure.get() != null) {
            chainsDone.countDown();
            return;
        }
        variant.asyncFetch().get(handleIndex).whenComplete((bytes, error) -> {
            if (error != null || bytes <= 0) {
                failure.compareAndSet(null, error != null ? error : new IllegalStateException("empty body"));
                chainsDone.countDown();
                return;
            }
            requests.incrementAndGet();
            continueChain(variant, (handleIndex + 1) % handles, handles, deadline, requests, failure, chainsDone);
        });
    }

    private static String report(Options options, List<Result> results, Instant started) {
        Map<String, String> machine = MachineInfo.collect();
        StringBuilder md = new StringBuilder();
        md.append("# Registry client benchmark, ").append(LocalDate.now(ZoneOffset.UTC)).append("\n\n");
        // the script's --java names a directory of the machine it ran on; the report names the release
        String java = System.getenv("BENCH_RUN_JAVA") != null ? " --java <JDK " + Runtime.version().feature() + ">" : "";
        md.append(String.format(Locale.ROOT, "Generated by `scripts/bench-client --threads %d --seconds %d"
                        + " --warmup-seconds %d%s` (started %s). One run; every number below is from it.%n%n",
                options.threads(), options.seconds(), options.warmupSeconds(), java, started));
        md.append("| | |\n| --- | --- |\n");
        md.append("| CPU | ").append(machine.get("cpu")).append(" |\n");
        md.append("| `nproc` | ").append(machine.get("nproc")).append(" |\n");
        md.append("| Java | ").append(machine.get("java")).append(" |\n");
        md.append("| CPU pressure before (PSI `some avg60`) | ").append(machine.get("pressure")).append(" |\n\n");
        md.append(String.format(Locale.ROOT, "The registry simulator ran in its own JVM (`-Xmx1g`, 128 handler"
                + " threads) with one registry of 1,000 agents. Each variant fetched its record URLs"
                + " (`/v1/records/{handle}`, a few hundred bytes of JSON each) with %d requests in flight: the"
                + " blocking variants from as many threads, one request each; the async ones from their"
                + " clients' own I/O threads, each answer sending the next request. %d s each, after an"
                + " unmeasured warm-up of %d s per variant, all warm-ups first. Client CPU is this JVM's user"
                + " + system time over the measured seconds, the JIT and GC included.%n%n",
                options.threads(), options.seconds(), options.warmupSeconds()));
        md.append("| client | requests/s | client CPU per request | simulator CPU per request |\n");
        md.append("| --- | ---: | ---: | ---: |\n");
        for (Result r : results) {
            md.append(String.format(Locale.ROOT, "| %s | %,.0f | %.1f µs | %.1f µs |%n", r.name(),
                    r.requestsPerSecond(), r.clientMicrosPerRequest(), r.simulatorMicrosPerRequest()));
        }
        return md.toString();
    }

    /** The options of a command line; null for {@code --help}. */
    static Options parse(String[] argv) {
        return Cli.parse(new Flags(), argv, Flags::options).orElse(null);
    }

    private ClientBenchmark() {
    }
}
