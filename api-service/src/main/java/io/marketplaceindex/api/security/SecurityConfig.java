package io.marketplaceindex.api.security;

import io.marketplaceindex.api.account.ApiTokens;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.http.HttpMethod;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository;
import org.springframework.security.web.savedrequest.NullRequestCache;

@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication // only where there are requests to guard
class SecurityConfig {

    static final String LOGIN_PATH = "/api/auth/login";

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

    /**
     * The CSRF token lives in the session, so only a signed-in session ever has one (a cookie-held
     * token would be a Set-Cookie on anonymous requests); the sign-in answer and /api/auth/me hand it
     * to the page.
     */
    @Bean
    CsrfTokenRepository csrfTokenRepository() {
        return new HttpSessionCsrfTokenRepository();
    }

    /**
     * Only a state-changing request that comes with a live session can be forged by another site:
     * the browser adds the cookie by itself. Bearer and anonymous requests carry no ambient
     * credential, so they are exempt (an expired session's cookie counts as none). Sign-in is exempt
     * too: it accepts only application/json, which no cross-site form can send and a cross-site
     * script cannot send without a CORS preflight this service never grants.
     */
    static boolean needsCsrfToken(HttpServletRequest request) {
        String method = request.getMethod();
        if ("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method) || "TRACE".equals(method)) {
            return false;
        }
        if (LOGIN_PATH.equals(request.getRequestURI())) {
            return false;
        }
        return request.getRequestedSessionId() != null && request.getSession(false) != null;
    }

    /** viewer < operator < admin: a caller holds one role, and this says what it implies. */
    @Bean
    static RoleHierarchy roleHierarchy() {
        return RoleHierarchyImpl.withDefaultRolePrefix()
                .role("ADMIN").implies("OPERATOR")
                .role("OPERATOR").implies("VIEWER")
                .build();
    }

    /** Bounds the sign-in body before anything reads it, ahead of every other filter. */
    @Bean
    FilterRegistrationBean<LoginBodyLimitFilter> loginBodyLimitFilter() {
        FilterRegistrationBean<LoginBodyLimitFilter> registration = new FilterRegistrationBean<>(new LoginBodyLimitFilter());
        registration.addUrlPatterns(LOGIN_PATH);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        return registration;
    }

    @Bean
    SecurityFilterChain api(HttpSecurity http, SecurityProperties properties, ApiTokens tokens,
                            SecurityContextRepository contexts, CsrfTokenRepository csrfTokens) throws Exception {
        http
                // Sessions are only created by the login endpoint. Their cookie is SameSite=Strict too
                // (application.yml), but that alone leaves same-site pages and old browsers.
                .csrf(csrf -> csrf
                        .csrfTokenRepository(csrfTokens)
                        // the token as stored, as the page got it from the sign-in answer (no per-request mask)
                        .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler())
                        .requireCsrfProtectionMatcher(SecurityConfig::needsCsrfToken))
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
                .addFilterBefore(new BearerTokenFilter(properties, tokens), UsernamePasswordAuthenticationFilter.class)
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) ->
                                json(response, HttpServletResponse.SC_UNAUTHORIZED, "authentication required"))
                        .accessDeniedHandler((request, response, ex) -> json(response, HttpServletResponse.SC_FORBIDDEN,
                                ex instanceof CsrfException ? "missing or wrong CSRF token (X-CSRF-TOKEN)"
                                        : "not allowed for your role")))
                .authorizeHttpRequests(auth -> authorize(auth, properties.publicCatalog()));
        return http.build();
    }

    /** Who may call what; first match wins, and whatever no rule names is refused. */
    private static void authorize(
            AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry auth,
            boolean publicCatalog) {
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
        auth.requestMatchers("/api/settings/users", "/api/settings/users/**").hasRole("ADMIN");
        // everyone signed in manages their own tokens (at most their own role)
        auth.requestMatchers("/api/settings/tokens", "/api/settings/tokens/**").hasRole("VIEWER");
        auth.requestMatchers("/api/settings/**").hasRole("OPERATOR");
        if (publicCatalog) {
            auth.requestMatchers(HttpMethod.GET, "/api/marketplace", "/api/marketplace/**").permitAll();
        } else {
            auth.requestMatchers(HttpMethod.GET, "/api/marketplace", "/api/marketplace/**").hasRole("VIEWER");
        }
        auth.requestMatchers(HttpMethod.GET, "/", "/index.html", "/assets/**", "/favicon.ico",
                "/error").permitAll();
        // the page itself holds no data: a private catalog's page asks for a sign-in
        auth.requestMatchers(HttpMethod.GET, "/marketplace", "/marketplace/**").permitAll();
        // The API description and its browser (springdoc): public, they describe public knowledge.
        auth.requestMatchers(HttpMethod.GET, "/v3/api-docs", "/v3/api-docs.yaml", "/v3/api-docs/**",
                "/swagger-ui.html", "/swagger-ui/**").permitAll();
        auth.requestMatchers("/actuator/**").hasRole("ADMIN");
        auth.anyRequest().denyAll();
    }

    static void json(HttpServletResponse response, int status, String message) throws java.io.IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.getWriter().write("{\"error\":\"" + message + "\",\"status\":" + status + "}");
    }
}
