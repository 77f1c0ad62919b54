package io.marketplaceindex.bench.read;

import io.marketplaceindex.bench.support.Log;
import io.marketplaceindex.testsupport.ServiceProcesses;
import io.marketplaceindex.testsupport.ServiceProcesses.ServiceProcess;

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

/**
 * A real api-service process: {@code api-service/target/api-service.jar}, launched through its own
 * Spring Boot PropertiesLauncher so that {@code loader.path} can add the benchmark's floor jar (the
 * static-page floor) to it. Configured only through the environment keys docs/configuration.md documents. Started
 * by the {@link ServiceProcesses} of the run, which stops whatever is left should the run be interrupted.
 */
final class ApiInstance implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final ServiceProcess process;

    private ApiInstance(String name, ServiceProcess process) {
        this.name = name;
        this.process = process;
    }

    /** Where the instance connects, and what it is called in logs. */
    record Settings(String jdbcUrl, String dbUser, String dbPassword, String redisUrl, String kafka, String topicPrefix,
                    Path staticPage, Path staticDir) {
    }

    /**
     * @param cacheTtl MARKETPLACE_CACHE_TTL: "PT30M" for the cached instance, "1ms" for the uncached one
     */
    static ApiInstance start(ServiceProcesses processes, String name, Path apiJar, Path floorJar, List<String> jvmOptions,
                             int port, Settings settings, String keyPrefix, String cacheTtl) {
        List<String> javaArguments = new ArrayList<>(jvmOptions);
        javaArguments.add("-Dloader.path=" + floorJar);
        javaArguments.add("-cp");
        javaArguments.add(apiJar.toString());
        javaArguments.add("org.springframework.boot.loader.launch.PropertiesLauncher");
        Map<String, String> env = ServiceProcesses.connections(settings.jdbcUrl(), settings.dbUser(),
                settings.dbPassword(), settings.redisUrl(), settings.kafka());
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("MARKETPLACE_CACHE_KEY_PREFIX", keyPrefix);
        env.put("MARKETPLACE_CACHE_TTL", cacheTtl);
        env.put("MARKETPLACE_KAFKA_TOPIC_PREFIX", settings.topicPrefix());
        env.put("MARKETPLACE_KAFKA_PARTITIONS", "1");
        // wrk is one anonymous client far past 60 requests a minute; it measures the API as an
        // authenticated (unlimited) caller sees it
        env.put("MARKETPLACE_RATE_LIMIT_ANONYMOUS_PER_MINUTE", "0");
        env.put("MARKETPLACE_BENCH_STATIC_PAGE_FILE", settings.staticPage().toString());
        // a second floor: the same page as a plain static resource (Spring's resource handler)
        env.put("SPRING_WEB_RESOURCES_STATIC_LOCATIONS", "classpath:/static/,file:" + settings.staticDir() + "/");
        ServiceProcess p = processes.startJava("api-" + name, javaArguments, env, port);
        ApiInstance instance = new ApiInstance(name, p);
        try {
            processes.awaitHttp(p, "/api/marketplace?limit=1", Duration.ofSeconds(180));
        } catch (RuntimeException e) {
            instance.close();
            throw e;
        }
        Log.info("api-service %s ready on port %d (pid %d), log: %s", name, port, p.pid(), p.log());
        return instance;
    }

    String baseUrl() {
        return process.url();
    }

    long pid() {
        return process.pid();
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
    public void close() {
        process.stop(Duration.ofSeconds(30)); // SIGTERM: graceful shutdown
        Log.info("api-service %s stopped", name);
    }
}
