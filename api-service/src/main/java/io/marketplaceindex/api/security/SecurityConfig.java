package io.marketplaceindex.api.security;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.savedrequest.NullRequestCache;

@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication // only where there are requests to guard
class SecurityConfig {

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
            + "form-action 'self'; frame-ancestors 'none'";

    /**
     * Reads the signed-in context from an existing session but never creates one: only the sign-in
     * endpoint does, explicitly. A session held for hours per request would let any loop of anonymous
     * (or bearer-token) requests grow the heap without bound.
     */
    @Bean
    SecurityContextRepository securityContextRepository() {
        HttpSessionSecurityContextRepository repository = new HttpSessionSecurityContextRepository();
        repository.setAllowSessionCreation(false);
        return repository;
    }

    /** Bounds the sign-in body before anything reads it, ahead of every other filter. */
    @Bean
    FilterRegistrationBean<LoginBodyLimitFilter> loginBodyLimitFilter() {
        FilterRegistrationBean<LoginBodyLimitFilter> registration = new FilterRegistrationBean<>(new LoginBodyLimitFilter());
        registration.addUrlPatterns("/api/auth/login");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        return registration;
    }

    @Bean
    SecurityFilterChain api(HttpSecurity http, SecurityProperties properties,
                            SecurityContextRepository contexts) throws Exception {
        http
                // Sessions are only created by the login endpoint; the session cookie is SameSite=Strict
                // (application.yml), which is what stops cross-site form posts here instead of CSRF tokens.
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.NEVER))
                // The default cache saves every refused request into a new session, to replay it after a
                // form login this service does not have.
                .requestCache(c -> c.requestCache(new NullRequestCache()))
                .securityContext(c -> c.securityContextRepository(contexts))
                // The page loads its script and style from files (no inline code), so the policy can refuse
                // everything else: an agent's text that slipped into the page as markup could not run.
                .headers(h -> h
                        .contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                        // sent only on a secure request: over TLS, or X-Forwarded-Proto https from a trusted proxy
                        .httpStrictTransportSecurity(hsts -> hsts.maxAgeInSeconds(31_536_000).includeSubDomains(true)))
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.disable())
                .addFilterBefore(new BearerTokenFilter(properties), UsernamePasswordAuthenticationFilter.class)
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) ->
                                json(response, HttpServletResponse.SC_UNAUTHORIZED, "authentication required"))
                        .accessDeniedHandler((request, response, ex) ->
                                json(response, HttpServletResponse.SC_FORBIDDEN, "not allowed for your role")))
                .authorizeHttpRequests(auth -> {
                    // The dispatch that completes an asynchronous answer (the rebuild event stream) belongs
                    // to a request already authorized; a bearer token is not read again for it, so without
                    // this its completion would be refused and the stream cut without its last chunk.
                    auth.dispatcherTypeMatchers(DispatcherType.ASYNC).permitAll();
                    auth.requestMatchers("/api/auth/**").permitAll();
                    auth.requestMatchers("/actuator/health/**", "/actuator/health", "/actuator/info").permitAll();
                    // First match wins: this must stay above the public GET /api/marketplace/**, which
                    // (agent detail being /api/marketplace/{registryId}/{handle...}) would match it too.
                    auth.requestMatchers("/api/marketplace/index-rebuild", "/api/marketplace/index-rebuild/**")
                            .hasRole("OPERATOR");
                    auth.requestMatchers("/api/settings/**").hasRole("OPERATOR");
                    if (properties.publicCatalog()) {
                        auth.requestMatchers(HttpMethod.GET, "/api/marketplace", "/api/marketplace/**").permitAll();
                    } else {
                        auth.requestMatchers(HttpMethod.GET, "/api/marketplace", "/api/marketplace/**").hasRole("VIEWER");
                    }
                    auth.requestMatchers(HttpMethod.GET, "/", "/index.html", "/assets/**", "/favicon.ico",
                            "/error").permitAll();
                    // The API description and its browser (springdoc): public, they describe public knowledge.
                    auth.requestMatchers(HttpMethod.GET, "/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html",
                            "/swagger-ui/**").permitAll();
                    auth.requestMatchers("/actuator/**").hasRole("ADMIN");
                    auth.anyRequest().denyAll();
                });
        return http.build();
    }

    private static void json(HttpServletResponse response, int status, String message) throws java.io.IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.getWriter().write("{\"error\":\"" + message + "\",\"status\":" + status + "}");
    }
}
