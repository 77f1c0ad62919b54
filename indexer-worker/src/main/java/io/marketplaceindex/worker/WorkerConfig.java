package io.marketplaceindex.worker;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.registry.RegistryClient;
import io.marketplaceindex.registry.RegistryClientSettings;
import io.marketplaceindex.secrets.TokenEncryptionConfiguration;
import io.marketplaceindex.tracing.TracingConfiguration;
import io.marketplaceindex.worker.messaging.MessagingProperties;
import io.marketplaceindex.worker.sync.SyncProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RegistryClientSettings.class)
@Import({TracingConfiguration.class, TokenEncryptionConfiguration.class})
class WorkerConfig {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean(destroyMethod = "close")
    RegistryClient registryClient(RegistryClientSettings configured, Environment environment, SyncProperties sync,
                                  MessagingProperties messaging, MeterRegistry meters,
                                  ObservationRegistry observations) {
        boolean poolConfigured = environment.containsProperty(RegistryClientSettings.PREFIX + ".max-connections-per-route");
        int inFlight = messaging.commandConcurrency() * sync.concurrencyPerRegistry();
        return new RegistryClient(sizedForWorker(configured, poolConfigured, inFlight), meters, observations);
    }

    /**
     * Unless configured otherwise, the connection pool allows as many connections per host as this
     * worker can have requests in flight (registries synced in parallel × requests per registry):
     * registries and card hosts often share a host, and the worker's own limits, not waits for a
     * pooled connection (which count against each request's deadline), should pace them.
     */
    static RegistryClientSettings sizedForWorker(RegistryClientSettings configured, boolean poolConfigured,
                                                 int inFlight) {
        if (poolConfigured || configured.maxConnectionsPerRoute() >= inFlight) {
            return configured;
        }
        return configured.withConnectionPool(inFlight, Math.max(configured.maxConnectionsTotal(), inFlight));
    }

    @Bean
    AgentNormalizer agentNormalizer() {
        return new AgentNormalizer();
    }

    /** Blocking requests on a fixed pool: measured faster here than the JDK client's async path. */
    @Bean(destroyMethod = "shutdownNow")
    ExecutorService fetchExecutor(SyncProperties properties) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "registry-fetch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        return Executors.newFixedThreadPool(properties.fetchThreads(), threads);
    }
}
