package io.marketplaceindex.api.ratelimit;

import io.marketplaceindex.api.cache.CacheProperties;
import io.marketplaceindex.api.cache.SharedRedis;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication // only where there are requests to guard
class RateLimitConfig {

    @Bean
    RateLimiter anonymousRateLimiter(RateLimitProperties properties, CacheProperties cache, Clock clock,
                                     SharedRedis redis) {
        return new RateLimiter("anonymous", properties.anonymousPerMinute(), cache, clock, redis);
    }

    /**
     * Ordered right after Spring Security's filter: it runs inside that chain, so the authentication
     * it needs is set (and anonymous callers refused by security never count).
     */
    @Bean
    FilterRegistrationBean<AnonymousRateLimitFilter> anonymousRateLimitFilter(RateLimiter limiter,
                                                                              RateLimitProperties properties,
                                                                              SecurityFilterProperties security) {
        FilterRegistrationBean<AnonymousRateLimitFilter> registration =
                new FilterRegistrationBean<>(new AnonymousRateLimitFilter(limiter, properties));
        registration.setOrder(security.getOrder() + 1);
        registration.addUrlPatterns("/api/marketplace", "/api/marketplace/*");
        return registration;
    }
}
