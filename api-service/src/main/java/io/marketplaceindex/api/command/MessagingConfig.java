package io.marketplaceindex.api.command;

import io.marketplaceindex.events.EventsConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import java.time.Clock;

@Configuration(proxyBeanMethods = false)
@Import(EventsConfiguration.class)
class MessagingConfig {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
