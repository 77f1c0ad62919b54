package io.marketplaceindex.api.ratelimit;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.AuthenticationTrustResolver;
import org.springframework.security.authentication.AuthenticationTrustResolverImpl;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * Limits anonymous catalog reads ({@code GET|HEAD /api/marketplace} and below) per client. It runs
 * after Spring Security's filter chain, inside it, so the caller's authentication is known: a bearer
 * token or a session passes unlimited. Every limited answer carries {@code X-RateLimit-Limit},
 * {@code X-RateLimit-Remaining} and {@code X-RateLimit-Reset} (seconds until the window ends); past
 * the limit the answer is 429 with {@code Retry-After} and {@code {"error": ...}}.
 */
class AnonymousRateLimitFilter extends OncePerRequestFilter {

    private static final String CATALOG = "/api/marketplace";
    private final RateLimiter limiter;
    private final RateLimitProperties properties;
    private final AuthenticationTrustResolver trust = new AuthenticationTrustResolverImpl();

    AnonymousRateLimitFilter(RateLimiter limiter, RateLimitProperties properties) {
        this.limiter = limiter;
        this.properties = properties;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        if (!properties.enabled()) {
            return true;
        }
        String method = request.getMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            return true;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !(path.equals(CATALOG) || path.startsWith(CATALOG + "/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (trust.isAuthenticated(auth)) {
            chain.doFilter(request, response);
            return;
        }
        RateLimiter.Decision decision = limiter.hit(client(request));
        long resetSeconds = decision.resetSeconds();
        response.setHeader("X-RateLimit-Limit", String.valueOf(decision.limit()));
        response.setHeader("X-RateLimit-Remaining", String.valueOf(decision.remaining()));
        response.setHeader("X-RateLimit-Reset", String.valueOf(resetSeconds));
        if (decision.allowed()) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(429);
        response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(resetSeconds));
        response.setContentType("application/json");
        response.getWriter().write("{\"error\":\"rate limit of " + decision.limit()
                + " requests per minute exceeded for anonymous callers; retry in " + resetSeconds
                + " s or authenticate\",\"status\":429}");
    }

    String client(HttpServletRequest request) {
        return ClientAddress.of(request);
    }
}
