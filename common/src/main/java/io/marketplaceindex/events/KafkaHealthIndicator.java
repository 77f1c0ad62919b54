package io.marketplaceindex.events;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.kafka.core.KafkaAdmin;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Kafka as readiness sees it: the cluster answers a describe within a short timeout. An open port
 * is not enough (a broker that is starting or has lost its controller accepts connections), so the
 * check asks for the cluster id and its nodes.
 *
 * <p>Probes of every replica, and of several probers, may arrive at once: a result is reused for
 * {@code cacheFor}, so the broker sees at most one describe per replica in that time.
 */
public class KafkaHealthIndicator implements HealthIndicator, DisposableBean {

    private final Admin admin;
    private final Duration timeout;
    private final Duration cacheFor;
    private volatile Checked last;

    private record Checked(Health health, long atNanos) {
    }

    /**
     * @param kafkaAdmin the application's admin settings (bootstrap servers, security), as Boot built them
     * @param timeout    how long a describe may take before Kafka counts as down
     * @param cacheFor   how long one result answers further probes
     */
    public KafkaHealthIndicator(KafkaAdmin kafkaAdmin, Duration timeout, Duration cacheFor) {
        this.timeout = timeout;
        this.cacheFor = cacheFor;
        Map<String, Object> config = new HashMap<>(kafkaAdmin.getConfigurationProperties());
        int millis = Math.toIntExact(timeout.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "health");
        // One client for the application's lifetime: it reconnects by itself when the broker is back.
        this.admin = Admin.create(config);
    }

    @Override
    public Health health() {
        Checked cached = last;
        if (cached != null && System.nanoTime() - cached.atNanos() < cacheFor.toNanos()) {
            return cached.health();
        }
        synchronized (this) {
            cached = last;
            if (cached != null && System.nanoTime() - cached.atNanos() < cacheFor.toNanos()) {
                return cached.health();
            }
            Health health = check();
            last = new Checked(health, System.nanoTime());
            return health;
        }
    }

    private Health check() {
        try {
            DescribeClusterResult cluster = admin.describeCluster(
                    new DescribeClusterOptions().timeoutMs(Math.toIntExact(timeout.toMillis())));
            long waitMillis = timeout.toMillis() + 500;
            String clusterId = cluster.clusterId().get(waitMillis, TimeUnit.MILLISECONDS);
            int nodes = cluster.nodes().get(waitMillis, TimeUnit.MILLISECONDS).size();
            return Health.up().withDetail("clusterId", clusterId).withDetail("nodes", nodes).build();
        } catch (ExecutionException e) {
            return Health.down().withDetail("error", String.valueOf(e.getCause())).build();
        } catch (TimeoutException e) {
            return Health.down().withDetail("error", "no answer within " + timeout.toMillis() + " ms").build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.down().withDetail("error", "interrupted").build();
        }
    }

    @Override
    public void destroy() {
        admin.close(Duration.ofSeconds(1));
    }
}
