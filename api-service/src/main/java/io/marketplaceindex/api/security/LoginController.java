package io.marketplaceindex.api.security;

import io.marketplaceindex.api.account.Accounts;
import io.marketplaceindex.api.account.AdminBootstrap;
import io.marketplaceindex.api.account.Caller;
import io.marketplaceindex.api.account.Role;
import io.marketplaceindex.api.ratelimit.LoginThrottle;
import io.marketplaceindex.api.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Session login for the web page. */
@RestController
@ConditionalOnWebApplication
@RequestMapping("/api/auth")
class LoginController {

    private final Accounts accounts;
    private final AdminBootstrap bootstrap;
    private final SecurityContextRepository contexts;
    private final LoginThrottle throttle;
    private final CsrfTokenRepository csrfTokens;

    LoginController(Accounts accounts, AdminBootstrap bootstrap, SecurityContextRepository contexts,
                    LoginThrottle throttle, CsrfTokenRepository csrfTokens) {
        this.accounts = accounts;
        this.bootstrap = bootstrap;
        this.contexts = contexts;
        this.throttle = throttle;
        this.csrfTokens = csrfTokens;
    }

    record LoginRequest(String email, String password) {
        @Override
        public String toString() {
            return "LoginRequest[email=" + email + "]";
        }
    }

    // declared, so that a wildcard or foreign Content-Type is a 415 before the body is read
    @PostMapping(path = "/login", consumes = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> login(@RequestBody LoginRequest body, HttpServletRequest request, HttpServletResponse response) {
        Optional<Long> wait = throttle.refusedForSeconds(request);
        if (wait.isPresent()) {
            response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(wait.get()));
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS,
                    "too many sign-in attempts from this client; retry in " + wait.get() + " s");
        }
        if (body == null || body.email() == null || body.password() == null) {
            throw ApiException.badRequest("email and password are required");
        }
        Optional<Long> locked = throttle.accountRefusedForSeconds(request, body.email());
        if (locked.isPresent()) {
            response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(locked.get()));
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "too many failed sign-ins for this account; retry in "
                    + locked.get() + " s");
        }
        bootstrap.ensure();
        Optional<Caller> caller = accounts.signIn(body.email(), body.password());
        if (caller.isEmpty()) {
            throttle.failed(request, body.email());
            // a disabled account gets the same answer: it tells a guesser nothing
            throw new ApiException(HttpStatus.UNAUTHORIZED, "wrong email or password");
        }
        HttpSession old = request.getSession(false);
        if (old != null) {
            old.invalidate(); // a fresh session id on login: no session fixation
        }
        request.getSession(true); // the only place a session is created (the context repository never does)
        Authentication auth = UsernamePasswordAuthenticationToken.authenticated(caller.get(), null,
                caller.get().role().authorities());
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(auth);
        SecurityContextHolder.setContext(context);
        contexts.saveContext(context, request, response);
        // a new session gets a new CSRF token: one seen before sign-in is worth nothing after it
        CsrfToken csrf = csrfTokens.generateToken(request);
        csrfTokens.saveToken(csrf, request, response);
        return Map.of("user", caller.get().name(), "role", caller.get().role().id(), "csrfToken", csrf.getToken());
    }

    @PostMapping("/logout")
    Map<String, Object> logout(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        SecurityContextHolder.clearContext();
        return Map.of("loggedOut", true);
    }

    /** The caller; a session's answer carries its CSRF token, for a page that was reloaded. */
    @GetMapping("/me")
    Map<String, Object> me(Authentication auth, HttpServletRequest request) {
        Role role = auth == null || !auth.isAuthenticated() ? null : Role.of(auth.getAuthorities());
        if (role == null) {
            return Map.of("authenticated", false);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("authenticated", true);
        answer.put("user", auth.getName());
        answer.put("role", role.id());
        CsrfToken csrf = request.getSession(false) == null ? null : csrfTokens.loadToken(request);
        if (csrf != null) {
            answer.put("csrfToken", csrf.getToken());
        }
        return answer;
    }
}
