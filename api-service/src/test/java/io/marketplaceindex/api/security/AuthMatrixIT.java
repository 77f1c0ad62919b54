package io.marketplaceindex.api.security;

import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.account.SignIns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every endpoint of the application times every kind of caller gives exactly the expected status,
 * over real HTTP against the real schema. The endpoints come from the application's own handler
 * mappings (controllers, springdoc, actuator) plus the static page: an endpoint added later without
 * an expectation here fails the test, and so does an expectation whose endpoint is gone.
 *
 * <p>Requests that get past the security filters are made so that they change nothing: unknown ids
 * (404) or bodies that validation refuses (400). That status is the proof that the caller was let in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthMatrixIT extends ApiTestSupport {

    enum Caller { ANONYMOUS, VIEWER, OPERATOR, ADMIN, WRONG_TOKEN, EXPIRED_TOKEN, REVOKED_TOKEN, EXPIRED_SESSION,
        COOKIE_WITHOUT_CSRF }

    /** Who may: PUBLIC includes anonymous callers; the roles include the ones above them. */
    enum Access { PUBLIC, VIEWER, OPERATOR, ADMIN }

    /**
     * @param key    the mapping: method and pattern, as the handler mappings declare it
     * @param path   a concrete request for it
     * @param body   its JSON body, or null
     * @param ok     the status once let in
     */
    record Endpoint(String key, String path, String body, Access access, int ok) {
        String method() {
            return key.substring(0, key.indexOf(' '));
        }

        /** What the request is sent as: a mapping for any method gets a GET. */
        String requestMethod() {
            return method().equals("ANY") ? "GET" : method();
        }

        boolean changesState() {
            return !Set.of("GET", "HEAD", "OPTIONS").contains(requestMethod());
        }
    }

    private static final String NO_SUCH = UUID.randomUUID().toString();

    private static final List<Endpoint> ENDPOINTS = List.of(
            // the catalog: public by default (MARKETPLACE_PUBLIC_CATALOG)
            new Endpoint("GET /api/marketplace", "/api/marketplace?limit=1", null, Access.PUBLIC, 200),
            new Endpoint("GET /api/marketplace/tags", "/api/marketplace/tags", null, Access.PUBLIC, 200),
            new Endpoint("GET /api/marketplace/changes", "/api/marketplace/changes?limit=1", null, Access.PUBLIC, 200),
            new Endpoint("GET /api/marketplace/changes/head", "/api/marketplace/changes/head", null, Access.PUBLIC, 200),
            new Endpoint("GET /api/marketplace/agent", "/api/marketplace/agent?registryId=" + NO_SUCH + "&handle=x",
                    null, Access.PUBLIC, 404),
            new Endpoint("GET /api/marketplace/{registryId}/{*handle}", "/api/marketplace/" + NO_SUCH + "/x", null,
                    Access.PUBLIC, 404),
            // rebuilds and registries: operators
            new Endpoint("POST /api/marketplace/index-rebuild", "/api/marketplace/index-rebuild",
                    "{\"registryIds\":[\"" + NO_SUCH + "\"]}", Access.OPERATOR, 400),
            // an unknown rebuild id answers an empty progress, not 404
            new Endpoint("GET /api/marketplace/index-rebuild/{rebuildId}", "/api/marketplace/index-rebuild/" + NO_SUCH,
                    null, Access.OPERATOR, 200),
            new Endpoint("GET /api/marketplace/index-rebuild/{rebuildId}/events",
                    "/api/marketplace/index-rebuild/" + NO_SUCH + "/events", null, Access.OPERATOR, 404),
            new Endpoint("GET /api/settings/registries", "/api/settings/registries", null, Access.OPERATOR, 200),
            new Endpoint("GET /api/settings/registries/{id}", "/api/settings/registries/" + NO_SUCH, null,
                    Access.OPERATOR, 404),
            new Endpoint("GET /api/settings/registries/commands/{commandId}",
                    "/api/settings/registries/commands/" + NO_SUCH, null, Access.OPERATOR, 404),
            new Endpoint("POST /api/settings/registries", "/api/settings/registries", "{}", Access.OPERATOR, 400),
            new Endpoint("PATCH /api/settings/registries", "/api/settings/registries", "{}", Access.OPERATOR, 400),
            new Endpoint("PATCH /api/settings/registries/{id}", "/api/settings/registries/" + NO_SUCH, "{}",
                    Access.OPERATOR, 404),
            new Endpoint("DELETE /api/settings/registries", "/api/settings/registries?id=nope", null, Access.OPERATOR, 400),
            // accounts: admins; tokens: everyone signed in, for themselves
            new Endpoint("GET /api/settings/users", "/api/settings/users", null, Access.ADMIN, 200),
            new Endpoint("POST /api/settings/users", "/api/settings/users", "{}", Access.ADMIN, 400),
            new Endpoint("PATCH /api/settings/users/{id}", "/api/settings/users/1", "{}", Access.ADMIN, 400),
            new Endpoint("GET /api/settings/tokens", "/api/settings/tokens", null, Access.VIEWER, 200),
            new Endpoint("POST /api/settings/tokens", "/api/settings/tokens", "{}", Access.VIEWER, 400),
            new Endpoint("DELETE /api/settings/tokens/{id}", "/api/settings/tokens/" + NO_SUCH, null, Access.VIEWER, 404),
            // signing in and out
            new Endpoint("POST /api/auth/login", "/api/auth/login", "{}", Access.PUBLIC, 400),
            new Endpoint("POST /api/auth/logout", "/api/auth/logout", null, Access.PUBLIC, 200),
            new Endpoint("GET /api/auth/me", "/api/auth/me", null, Access.PUBLIC, 200),
            // the API's description
            new Endpoint("GET /v3/api-docs", "/v3/api-docs", null, Access.PUBLIC, 200),
            new Endpoint("GET /v3/api-docs.yaml", "/v3/api-docs.yaml", null, Access.PUBLIC, 200),
            new Endpoint("GET /v3/api-docs/swagger-config", "/v3/api-docs/swagger-config", null, Access.PUBLIC, 200),
            new Endpoint("GET /swagger-ui.html", "/swagger-ui.html", null, Access.PUBLIC, 302),
            // Boot's error page, reached directly
            new Endpoint("ANY /error", "/error", null, Access.PUBLIC, 500),
            // the actuator: health and info public, the rest admins
            new Endpoint("GET /actuator", "/actuator", null, Access.ADMIN, 200),
            new Endpoint("GET /actuator/health", "/actuator/health", null, Access.PUBLIC, 200),
            new Endpoint("GET /actuator/health/**", "/actuator/health/liveness", null, Access.PUBLIC, 200),
            new Endpoint("GET /actuator/info", "/actuator/info", null, Access.PUBLIC, 200),
            new Endpoint("GET /actuator/metrics", "/actuator/metrics", null, Access.ADMIN, 200),
            new Endpoint("GET /actuator/metrics/{requiredMetricName}", "/actuator/metrics/jvm.threads.live", null,
                    Access.ADMIN, 200),
            new Endpoint("GET /actuator/prometheus", "/actuator/prometheus", null, Access.ADMIN, 200),
            // the page: / sends the browser to /marketplace, whose routes all serve the one document
            new Endpoint("GET /", "/", null, Access.PUBLIC, 302),
            new Endpoint("GET /marketplace", "/marketplace", null, Access.PUBLIC, 200),
            new Endpoint("GET /marketplace/", "/marketplace/", null, Access.PUBLIC, 200),
            new Endpoint("GET /marketplace/agent", "/marketplace/agent?registryId=" + NO_SUCH + "&handle=x", null,
                    Access.PUBLIC, 200),
            new Endpoint("GET /marketplace/{registryId}/{*handle}", "/marketplace/" + NO_SUCH + "/x", null,
                    Access.PUBLIC, 200),
            // static resources (no handler method to enumerate)
            new Endpoint("GET /index.html", "/index.html", null, Access.PUBLIC, 200),
            new Endpoint("GET /assets/app.js", "/assets/app.js", null, Access.PUBLIC, 200),
            new Endpoint("GET /assets/app.css", "/assets/app.css", null, Access.PUBLIC, 200));

    private static final Set<String> STATIC = Set.of("GET /", "GET /index.html", "GET /assets/app.js",
            "GET /assets/app.css");

    @Autowired
    ApplicationContext context;

    private final SignIns signIns = new SignIns(this::send);
    private final Map<Caller, String[]> headers = new EnumMap<>(Caller.class);
    private String viewerEmail;
    private String operatorEmail;

    @BeforeAll
    void callers() {
        viewerEmail = account("viewer");
        operatorEmail = account("operator");
        headers.put(Caller.ANONYMOUS, new String[0]);
        headers.put(Caller.VIEWER, signIns.signIn(viewerEmail, PASSWORD).headers());
        headers.put(Caller.OPERATOR, signIns.signIn(operatorEmail, PASSWORD).headers());
        headers.put(Caller.ADMIN, signIns.signIn(ADMIN_EMAIL, ADMIN_PASSWORD).headers());
        headers.put(Caller.WRONG_TOKEN, bearer("mit_" + UUID.randomUUID()));
        String expiredName = "matrix-expired-" + UUID.randomUUID();
        String expired = token(expiredName);
        sql("UPDATE marketplace_control.api_tokens SET expires_at = now() - interval '1 second' WHERE name = ?",
                expiredName);
        headers.put(Caller.EXPIRED_TOKEN, bearer(expired));
        Answer revoked = send("POST", "/api/settings/tokens", "{\"name\":\"matrix-revoked\",\"role\":\"admin\"}",
                admin());
        assertThat(send("DELETE", "/api/settings/tokens/" + revoked.body().get("id").asString(), null, admin()).status())
                .isEqualTo(200);
        headers.put(Caller.REVOKED_TOKEN, bearer(revoked.body().get("token").asString()));
        SignIns.Session lapsed = signIns.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        // as if it had been idle for longer than its lifetime
        sql("UPDATE marketplace_control.spring_session SET last_access_time = 0, expiry_time = 0 WHERE session_id = ?",
                sessionId(lapsed));
        headers.put(Caller.EXPIRED_SESSION, lapsed.headers());
        headers.put(Caller.COOKIE_WITHOUT_CSRF, signIns.signIn(ADMIN_EMAIL, ADMIN_PASSWORD).cookieOnly());
    }

    @Test
    void everyEndpointHasAnExpectation() {
        Set<String> declared = new TreeSet<>();
        for (RequestMappingInfoHandlerMapping mapping : context.getBeansOfType(RequestMappingInfoHandlerMapping.class)
                .values()) {
            for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
                Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
                for (String pattern : info.getPatternValues()) {
                    if (methods.isEmpty()) {
                        declared.add("ANY " + pattern);
                    }
                    methods.forEach(m -> declared.add(m.name() + " " + pattern));
                }
            }
        }
        Set<String> expected = new TreeSet<>();
        ENDPOINTS.forEach(e -> expected.add(e.key()));
        Set<String> missing = new TreeSet<>(declared);
        missing.removeAll(expected);
        assertThat(missing).as("endpoints without an expectation in this test: add them to ENDPOINTS").isEmpty();
        Set<String> gone = new TreeSet<>(expected);
        gone.removeAll(declared);
        gone.removeAll(STATIC);
        assertThat(gone).as("expectations of endpoints the application no longer has").isEmpty();
    }

    @Test
    void everyEndpointAnswersEveryCallerAsExpected() {
        List<String> wrong = new ArrayList<>();
        Map<String, Integer> answered = new LinkedHashMap<>();
        for (Endpoint endpoint : ENDPOINTS) {
            for (Caller caller : Caller.values()) {
                int expected = expected(endpoint, caller);
                int status = request(endpoint, caller);
                answered.put(endpoint.key() + " as " + caller, status);
                if (status != expected) {
                    wrong.add(endpoint.key() + " as " + caller + ": expected " + expected + ", got " + status);
                }
            }
        }
        assertThat(answered).hasSize(ENDPOINTS.size() * Caller.values().length);
        assertThat(wrong).as("status mismatches").isEmpty();
    }

    static int expected(Endpoint endpoint, Caller caller) {
        return switch (caller) {
            // a token that stands for nobody is refused outright, wherever it is sent
            case WRONG_TOKEN, EXPIRED_TOKEN, REVOKED_TOKEN -> 401;
            // an expired session's cookie is no session: the caller is anonymous, and needs no CSRF token
            case ANONYMOUS, EXPIRED_SESSION -> endpoint.access() == Access.PUBLIC ? endpoint.ok() : 401;
            case VIEWER -> allowed(endpoint, Access.VIEWER);
            case OPERATOR -> allowed(endpoint, Access.OPERATOR);
            case ADMIN -> allowed(endpoint, Access.ADMIN);
            // a live admin session without its token: reads work, changes are refused (sign-in is exempt)
            case COOKIE_WITHOUT_CSRF -> endpoint.changesState() && !endpoint.key().equals("POST /api/auth/login")
                    ? 403 : allowed(endpoint, Access.ADMIN);
        };
    }

    private static int allowed(Endpoint endpoint, Access role) {
        return role.ordinal() >= endpoint.access().ordinal() ? endpoint.ok() : 403;
    }

    private int request(Endpoint endpoint, Caller caller) {
        String[] with = headers.get(caller);
        boolean signsOut = endpoint.key().equals("POST /api/auth/logout");
        if (signsOut && Set.of(Caller.VIEWER, Caller.OPERATOR, Caller.ADMIN).contains(caller)) {
            // signing out ends the session the other rows use: this row gets one of its own
            String email = caller == Caller.VIEWER ? viewerEmail : caller == Caller.OPERATOR ? operatorEmail : ADMIN_EMAIL;
            with = signIns.signIn(email, caller == Caller.ADMIN ? ADMIN_PASSWORD : PASSWORD).headers();
        }
        String method = endpoint.requestMethod();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(endpoint.path()))
                .method(method, endpoint.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(endpoint.body()));
        if (endpoint.body() != null) {
            request.header("Content-Type", "application/json");
        }
        if (with.length > 0) {
            request.headers(with);
        }
        try {
            // any body (JSON, HTML, script, Prometheus text): only the status matters here
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new IllegalStateException(endpoint.key(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static final String PASSWORD = "matrix password 0123";

    private String account(String role) {
        String email = "matrix-" + role + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
        Answer created = send("POST", "/api/settings/users",
                "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\",\"role\":\"" + role + "\"}", admin());
        assertThat(created.status()).isEqualTo(201);
        return email;
    }

    private String token(String name) {
        Answer issued = send("POST", "/api/settings/tokens", "{\"name\":\"" + name + "\",\"role\":\"admin\"}", admin());
        assertThat(issued.status()).isEqualTo(201);
        return issued.body().get("token").asString();
    }

    private static String[] bearer(String token) {
        return new String[]{"Authorization", "Bearer " + token};
    }

    private static String sessionId(SignIns.Session session) {
        String value = session.cookie().substring(session.cookie().indexOf('=') + 1);
        return new String(java.util.Base64.getDecoder().decode(value), java.nio.charset.StandardCharsets.UTF_8);
    }
}
