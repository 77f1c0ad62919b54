package io.marketplaceindex.bench.support;

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
import java.util.concurrent.TimeUnit;

/**
 * A real api-service process: {@code api-service/target/api-service.jar}, launched through its own
 * Spring Boot PropertiesLauncher so that {@code loader.path} can add the read benchmark's floor jar (the
 * static-page floor) to it. Configured only through the environment keys docs/configuration.md documents. Started
 * by the {@link ServiceProcesses} of the run, which stops whatever is left should the run be interrupted.
 * The read benchmark and the page benchmark run the API this way.
 */
public final class ApiInstance implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final ServiceProcess process;

    private ApiInstance(String name, ServiceProcess process) {
        this.name = name;
        this.process = process;
    }

    /**
     * Where the instance connects, and what it is called in logs; {@code staticPage} and {@code staticDir}
     * are the read benchmark's floor (null without the floor jar).
     */
    public record Settings(String jdbcUrl, String dbUser, String dbPassword, String redisUrl, String kafka,
                           String topicPrefix, Path staticPage, Path staticDir) {
    }

    /**
     * @param floorJar the read benchmark's floor, added with {@code loader.path}; null for the service alone
     * @param cacheTtl MARKETPLACE_CACHE_TTL: "PT30M" for the cached instance, "1ms" for the uncached one
     */
    public static ApiInstance start(ServiceProcesses processes, String name, Path apiJar, Path floorJar, List<String> jvmOptions,
                             int port, Settings settings, String keyPrefix, String cacheTtl) {
        List<String> javaArguments = new ArrayList<>(jvmOptions);
        if (floorJar != null) {
            javaArguments.add("-Dloader.path=" + floorJar);
        }
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
        if (floorJar != null) {
            env.put("MARKETPLACE_BENCH_STATIC_PAGE_FILE", settings.staticPage().toString());
            // a second floor: the same page as a plain static resource (Spring's resource handler)
            env.put("SPRING_WEB_RESOURCES_STATIC_LOCATIONS", "classpath:/static/,file:" + settings.staticDir() + "/");
        }
        ServiceProcess p = processes.startJava("api-" + name, javaArguments, env, port);
        ApiInstance instance = new ApiInstance(name, p);
        try {
            // on two cores shared with other builds, a Spring Boot start has taken more than 3 minutes
            processes.awaitHttp(p, "/api/marketplace?limit=1", Duration.ofSeconds(600));
        } catch (RuntimeException e) {
            instance.close();
            throw e;
        }
        Log.info("api-service %s ready on port %d (pid %d), log: %s", name, port, p.pid(), p.log());
        return instance;
    }

    public String baseUrl() {
        return process.url();
    }

    public long pid() {
        return process.pid();
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<byte[]> getBytes(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Resident memory of the process in bytes, from /proc (0 where unavailable). */
    public long rssBytes() {
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

    /** The topics the benchmark's api-service processes created on the (shared) broker. */
    public static void deleteTopics(String prefix, String kafka) {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                "bootstrap.servers", kafka, "request.timeout.ms", 5000, "default.api.timeout.ms", 10000))) {
            List<String> ours = admin.listTopics().names().get(10, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(prefix)).toList();
            if (!ours.isEmpty()) {
                admin.deleteTopics(ours).all().get(20, TimeUnit.SECONDS);
                Log.info("deleted topics %s", ours);
            }
        } catch (Exception e) {
            Log.info("could not delete the benchmark topics (%s*): %s", prefix, e.getMessage());
        }
    }
}
