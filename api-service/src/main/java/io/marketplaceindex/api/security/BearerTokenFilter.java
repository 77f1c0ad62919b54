package io.marketplaceindex.api.security;

import io.marketplaceindex.api.account.ApiTokens;
import io.marketplaceindex.api.account.Caller;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Optional;

/**
 * Authenticates {@code Authorization: Bearer <token>}: the environment's bootstrap token
 * (MARKETPLACE_ADMIN_TOKEN, admin, no account), else an issued API token looked up in the database
 * on every request. A token that is wrong, revoked or expired is a 401 at once, never a fall-back
 * to anonymous.
 */
class BearerTokenFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(BearerTokenFilter.class);

    private final SecurityProperties properties;
    private final ApiTokens tokens;

    BearerTokenFilter(SecurityProperties properties, ApiTokens tokens) {
        this.properties = properties;
        this.tokens = tokens;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            chain.doFilter(request, response);
            return;
        }
        String token = header.substring(7).trim();
        Optional<Caller> caller;
        if (Secrets.matches(properties.adminToken(), token)) {
            caller = Optional.of(Caller.bootstrapToken());
        } else {
            try {
                caller = token.isEmpty() ? Optional.empty() : tokens.authenticate(token);
            } catch (DataAccessException e) {
                log.warn("could not check an API token: {}", e.getMessage());
                response.setHeader(HttpHeaders.RETRY_AFTER, "5");
                SecurityConfig.json(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                        "the database cannot be reached to check the token; retry later");
                return;
            }
        }
        if (caller.isEmpty()) {
            SecurityConfig.json(response, HttpServletResponse.SC_UNAUTHORIZED, "invalid, expired or revoked bearer token");
            return;
        }
        var auth = UsernamePasswordAuthenticationToken.authenticated(caller.get(), null, caller.get().role().authorities());
        SecurityContextHolder.getContext().setAuthentication(auth);
        chain.doFilter(request, response);
    }
}
