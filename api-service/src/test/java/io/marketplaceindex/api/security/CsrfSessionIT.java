package io.marketplaceindex.api.security;

import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.account.SignIns;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions are kept in PostgreSQL and guarded by Spring Security's CSRF token: a change that comes
 * with a session cookie but without the session's token is refused, whoever the session belongs to.
 */
class CsrfSessionIT extends ApiTestSupport {

    private final SignIns signIns = new SignIns(this::send);

    @Test
    void aSessionChangesNothingWithoutItsCsrfToken() {
        SignIns.Session admin = signIns.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        assertThat(admin.csrf()).isNotBlank();
        assertThat(admin.cookie()).startsWith("SESSION=");

        Answer withoutToken = send("POST", "/api/settings/tokens", "{\"name\":\"x\"}", admin.cookieOnly());
        assertThat(withoutToken.status()).isEqualTo(403);
        assertThat(withoutToken.body().get("error").asString()).contains("CSRF");
        Answer wrongToken = send("POST", "/api/settings/tokens", "{\"name\":\"x\"}", "Cookie", admin.cookie(),
                "X-CSRF-TOKEN", admin.csrf() + "x");
        assertThat(wrongToken.status()).isEqualTo(403);
        assertThat(get("/api/settings/tokens", admin.cookieOnly()).status()).as("reads need no token").isEqualTo(200);

        Answer withToken = send("POST", "/api/settings/tokens", "{\"name\":\"from the page\"}", admin.headers());
        assertThat(withToken.status()).isEqualTo(201);
        assertThat(get("/api/auth/me", admin.cookieOnly()).body().get("csrfToken").asString())
                .as("a reloaded page gets the token again").isEqualTo(admin.csrf());
    }

    @Test
    void requestsWithoutASessionCookieAreExempt() {
        assertThat(send("POST", "/api/settings/tokens", "{\"name\":\"ci\"}", admin()).status()).isEqualTo(201);
        assertThat(send("POST", "/api/settings/tokens", "{\"name\":\"x\"}").status()).as("anonymous").isEqualTo(401);
        assertThat(get("/api/auth/me").body().has("csrfToken")).isFalse();
    }

    @Test
    void aNewSessionGetsANewToken() {
        SignIns.Session first = signIns.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        SignIns.Session second = signIns.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        assertThat(second.csrf()).isNotEqualTo(first.csrf());
        assertThat(send("POST", "/api/settings/tokens", "{\"name\":\"x\"}", "Cookie", second.cookie(),
                "X-CSRF-TOKEN", first.csrf()).status()).isEqualTo(403);
    }

    @Test
    void signOutNeedsTheTokenAndEndsTheSessionEverywhere() {
        SignIns.Session admin = signIns.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        String id = sessionId(admin);
        assertThat(send("POST", "/api/auth/logout", null, admin.cookieOnly()).status()).isEqualTo(403);
        assertThat(get("/api/auth/me", admin.cookieOnly()).body().get("authenticated").asBoolean()).isTrue();

        assertThat(send("POST", "/api/auth/logout", null, admin.headers()).status()).isEqualTo(200);
        assertThat(sql("SELECT count(*) FROM marketplace_control.spring_session WHERE session_id = ?", id))
                .as("the shared row is gone, for every replica").isEqualTo(0L);
        assertThat(get("/api/auth/me", admin.cookieOnly()).body().get("authenticated").asBoolean()).isFalse();
        assertThat(get("/api/settings/tokens", admin.headers()).status()).isEqualTo(401);
    }

    @Test
    void theSessionIsTheDatabaseRowNotAReplicasMemory() {
        SignIns.Session admin = signIns.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        String id = sessionId(admin);
        assertThat(sql("SELECT principal_name FROM marketplace_control.spring_session WHERE session_id = ?", id))
                .isEqualTo(ADMIN_EMAIL);
        // idle for longer than its lifetime, as another replica last saw it: this replica follows at once
        sql("UPDATE marketplace_control.spring_session SET last_access_time = 0, expiry_time = 0 WHERE session_id = ?", id);
        assertThat(get("/api/settings/tokens", admin.headers()).status()).isEqualTo(401);
        assertThat(send("POST", "/api/settings/tokens", "{\"name\":\"x\"}", admin.cookieOnly()).status())
                .as("an expired session's cookie is no session: anonymous, not a CSRF failure").isEqualTo(401);
    }

    @Test
    void theCookieIsHttpOnlyAndSameSiteStrict() {
        Answer answer = signIns.attempt(ADMIN_EMAIL, ADMIN_PASSWORD);
        assertThat(answer.raw().headers().firstValue("Set-Cookie").orElseThrow()).startsWith("SESSION=")
                .containsIgnoringCase("; HttpOnly").containsIgnoringCase("; SameSite=Strict");
    }

    /** Spring Session's cookie holds the session id in base64. */
    private static String sessionId(SignIns.Session session) {
        String value = session.cookie().substring(session.cookie().indexOf('=') + 1);
        return new String(java.util.Base64.getDecoder().decode(value), java.nio.charset.StandardCharsets.UTF_8);
    }
}
