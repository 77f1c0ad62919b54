package io.marketplaceindex.worker;

import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.registry.RegistryClient;
import io.marketplaceindex.registry.RegistryClientProperties;
import io.marketplaceindex.worker.sync.SyncProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RegistryClientProperties.class)
class WorkerConfig {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean(destroyMethod = "close")
    RegistryClient registryClient(RegistryClientProperties properties, MeterRegistry meters) {
        return new RegistryClient(properties.toSettings(), meters);
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
