package io.marketplaceindex.bench.read;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real api-service process: {@code api-service/target/api-service.jar}, launched through its own
 * Spring Boot PropertiesLauncher so that {@code loader.path} can add the benchmark jar (the static-page
 * floor) to it. Configured only through the environment keys docs/configuration.md documents.
 */
final class ApiInstance implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Processes still running: stopped by a shutdown hook should the benchmark be interrupted. */
    private static final java.util.Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(p -> {
            p.destroy();
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        })));
    }

    private final String name;
    private final int port;
    private final Process process;
    private final Path logFile;

    private ApiInstance(String name, int port, Process process, Path logFile) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.logFile = logFile;
    }

    /**
     * @param cacheTtl MARKETPLACE_CACHE_TTL: "PT30M" for the cached instance, "1ms" for the uncached one
     */
    static ApiInstance start(String name, Path apiJar, Path benchJar, List<String> jvmOptions, int port, String jdbcUrl,
                             String dbUser, String dbPassword, String redisUrl, String kafka, String keyPrefix,
                             String topicPrefix, String cacheTtl, Path staticPage, Path staticDir, Path logDir)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dloader.path=" + benchJar);
        command.add("-cp");
        command.add(apiJar.toString());
        command.add("org.springframework.boot.loader.launch.PropertiesLauncher");
        Path log = logDir.resolve("api-" + name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("SPRING_DATASOURCE_URL", jdbcUrl);
        env.put("SPRING_DATASOURCE_USERNAME", dbUser);
        env.put("SPRING_DATASOURCE_PASSWORD", dbPassword);
        env.put("SPRING_DATA_REDIS_URL", redisUrl);
        env.put("SPRING_KAFKA_BOOTSTRAP_SERVERS", kafka);
        env.put("MARKETPLACE_CACHE_KEY_PREFIX", keyPrefix);
        env.put("MARKETPLACE_CACHE_TTL", cacheTtl);
        env.put("MARKETPLACE_KAFKA_TOPIC_PREFIX", topicPrefix);
        env.put("MARKETPLACE_KAFKA_PARTITIONS", "1");
        // wrk is one anonymous client far past 60 requests a minute; it measures the API as an
        // authenticated (unlimited) caller sees it
        env.put("MARKETPLACE_RATE_LIMIT_ANONYMOUS_PER_MINUTE", "0");
        env.put("MARKETPLACE_BENCH_STATIC_PAGE_FILE", staticPage.toString());
        // a second floor: the same page as a plain static resource (Spring's resource handler)
        env.put("SPRING_WEB_RESOURCES_STATIC_LOCATIONS", "classpath:/static/,file:" + staticDir + "/");
        Process p = pb.start();
        LIVE.add(p);
        ApiInstance instance = new ApiInstance(name, port, p, log);
        try {
            instance.awaitReady(Duration.ofSeconds(180));
        } catch (RuntimeException | IOException | InterruptedException e) {
            instance.close();
            throw e;
        }
        return instance;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    private void awaitReady(Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("api-service " + name + " exited with " + process.exitValue()
                        + ", see " + logFile);
            }
            try {
                HttpResponse<String> r = get("/api/marketplace?limit=1");
                if (r.statusCode() == 200) {
                    Log.info("api-service %s ready on port %d (pid %d), log: %s", name, port, process.pid(), logFile);
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("api-service " + name + " not ready after " + timeout + ", see " + logFile);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> getBytes(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Resident memory of the process in bytes, from /proc (0 where unavailable). */
    long rssBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM: graceful shutdown
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        LIVE.remove(process);
        Log.info("api-service %s stopped", name);
    }
}
