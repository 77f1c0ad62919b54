package io.marketplaceindex.api;

import io.marketplaceindex.registry.RegistryClient;
import io.marketplaceindex.registry.RegistryClientSettings;
import io.marketplaceindex.secrets.TokenEncryptionConfiguration;
import io.marketplaceindex.tracing.TracingConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RegistryClientSettings.class)
@Import({TracingConfiguration.class, TokenEncryptionConfiguration.class})
class ApiConfig {

    /** Used for the health probe when a registry is connected; same guards as the worker's. */
    @Bean(destroyMethod = "close")
    RegistryClient registryClient(RegistryClientSettings settings, MeterRegistry meters,
                                  ObservationRegistry observations) {
        return new RegistryClient(settings, meters, observations);
    }

    @Bean
    TransactionTemplate readOnlyTx(PlatformTransactionManager transactions) {
        TransactionTemplate tx = new TransactionTemplate(transactions);
        tx.setReadOnly(true);
        return tx;
    }
}
