package io.marketplaceindex.api.account;

import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.security.SecurityProperties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.crypto.password.PasswordEncoder;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Accounts against the real schema: the first admin, what admins do with accounts, and what roles may do. */
class AccountsApiIT extends ApiTestSupport {

    @Autowired
    UserRepository users;
    @Autowired
    PasswordEncoder encoder;

    private final SignIns signIns = new SignIns(this::send);

    @Test
    void theFirstAdminComesFromTheEnvironmentWithAHashedPassword() {
        SignIns.Session admin = signIns.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        assertThat(admin.role()).isEqualTo("admin");
        String hash = (String) sql("SELECT password_hash FROM marketplace_control.users WHERE lower(email) = lower(?)",
                ADMIN_EMAIL);
        assertThat(hash).startsWith("{bcrypt}$2").doesNotContain(ADMIN_PASSWORD);
        assertThat(sql("SELECT created_by FROM marketplace_control.users WHERE lower(email) = lower(?)", ADMIN_EMAIL))
                .isEqualTo("bootstrap");
    }

    @Test
    void aRestartWithAnotherPasswordChangesNothing() {
        // what a later start does: the environment now says another password (and even another email)
        for (String email : new String[]{ADMIN_EMAIL, "someone-else@example.org"}) {
            new AdminBootstrap(new SecurityProperties(null, email, "a different password 42", true), users, encoder)
                    .ensure();
        }
        assertThat(signIns.attempt(ADMIN_EMAIL, "a different password 42").status()).isEqualTo(401);
        assertThat(signIns.attempt("someone-else@example.org", "a different password 42").status()).isEqualTo(401);
        assertThat(signIns.attempt(ADMIN_EMAIL, ADMIN_PASSWORD).status()).isEqualTo(200);
        assertThat(sql("SELECT count(*) FROM marketplace_control.users WHERE lower(email) = 'someone-else@example.org'"))
                .isEqualTo(0L);
    }

    @Test
    void adminsCreateAccountsAndRolesDecideWhatTheyMayDo() {
        String viewer = unique("viewer");
        String operator = unique("operator");
        Answer created = send("POST", "/api/settings/users", user(viewer, "viewer"), admin());
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().get("role").asString()).isEqualTo("viewer");
        assertThat(created.raw().body()).doesNotContain("password").doesNotContain("hash");
        assertThat(send("POST", "/api/settings/users", user(operator, "operator"), admin()).status()).isEqualTo(201);

        SignIns.Session v = signIns.signIn(viewer, PASSWORD);
        SignIns.Session o = signIns.signIn(operator, PASSWORD);
        assertThat(v.role()).isEqualTo("viewer");
        assertThat(o.role()).isEqualTo("operator");
        assertThat(get("/api/settings/registries", v.headers()).status()).isEqualTo(403);
        assertThat(get("/api/settings/registries", o.headers()).status()).isEqualTo(200);
        assertThat(get("/api/settings/users", o.headers()).status()).isEqualTo(403);
        assertThat(send("POST", "/api/settings/users", user(unique("x"), "admin"), o.headers()).status()).isEqualTo(403);
        assertThat(get("/api/settings/users", admin()).body().get("users").toString()).contains(viewer, operator)
                .doesNotContain("bcrypt");
    }

    @Test
    void badInputIsAClear4xx() {
        String email = unique("dup");
        assertThat(send("POST", "/api/settings/users", user(email, "viewer"), admin()).status()).isEqualTo(201);
        expect(send("POST", "/api/settings/users", user(email.toUpperCase(), "viewer"), admin()), 409, "exists");
        expect(send("POST", "/api/settings/users", "{\"password\":\"" + PASSWORD + "\",\"role\":\"viewer\"}", admin()),
                400, "email is required");
        expect(send("POST", "/api/settings/users", "{\"email\":\"no-at-sign\",\"password\":\"" + PASSWORD
                + "\",\"role\":\"viewer\"}", admin()), 400, "email must be");
        expect(send("POST", "/api/settings/users", "{\"email\":\"" + unique("s") + "\",\"password\":\"short\","
                + "\"role\":\"viewer\"}", admin()), 400, "at least 12");
        expect(send("POST", "/api/settings/users", "{\"email\":\"" + unique("l") + "\",\"password\":\"" + "é".repeat(40)
                + "\",\"role\":\"viewer\"}", admin()), 400, "at most 72 bytes");
        expect(send("POST", "/api/settings/users", user(unique("r"), "root"), admin()), 400,
                "role must be one of viewer, operator, admin");
        expect(send("POST", "/api/settings/users", "[1]", admin()), 400, null);
        expect(send("PATCH", "/api/settings/users/987654321", "{\"disabled\":true}", admin()), 404, "no account");
        expect(send("PATCH", "/api/settings/users/abc", "{\"disabled\":true}", admin()), 400, null);
        long id = idOf(email);
        expect(send("PATCH", "/api/settings/users/" + id, "{}", admin()), 400, "give role and/or disabled");
        expect(send("PATCH", "/api/settings/users/" + id, "{\"role\":\"boss\"}", admin()), 400, "role must be");
    }

    @Test
    void disablingOrReRolingAnAccountEndsItsSessionsAndSignIns() {
        String email = unique("leaver");
        send("POST", "/api/settings/users", user(email, "operator"), admin());
        SignIns.Session first = signIns.signIn(email, PASSWORD);
        assertThat(get("/api/settings/registries", first.headers()).status()).isEqualTo(200);

        Answer demoted = send("PATCH", "/api/settings/users/" + idOf(email), "{\"role\":\"viewer\"}", admin());
        assertThat(demoted.status()).isEqualTo(200);
        assertThat(demoted.body().get("role").asString()).isEqualTo("viewer");
        assertThat(get("/api/auth/me", first.headers()).body().get("authenticated").asBoolean()).isFalse();
        SignIns.Session second = signIns.signIn(email, PASSWORD);
        assertThat(second.role()).isEqualTo("viewer");
        assertThat(get("/api/settings/registries", second.headers()).status()).isEqualTo(403);

        assertThat(send("PATCH", "/api/settings/users/" + idOf(email), "{\"disabled\":true}", admin()).status())
                .isEqualTo(200);
        assertThat(get("/api/settings/tokens", second.headers()).status()).isEqualTo(401);
        expect(signIns.attempt(email, PASSWORD), 401, "wrong email or password");

        assertThat(send("PATCH", "/api/settings/users/" + idOf(email), "{\"disabled\":false}", admin()).status())
                .isEqualTo(200);
        assertThat(signIns.signIn(email, PASSWORD).role()).isEqualTo("viewer");
    }

    @Test
    void theLastEnabledAdminStays() {
        long bootstrapAdmin = idOf(ADMIN_EMAIL);
        String other = unique("admin");
        send("POST", "/api/settings/users", user(other, "admin"), admin());
        // with two admins, one may go; then the remaining one may not
        assertThat(send("PATCH", "/api/settings/users/" + idOf(other), "{\"disabled\":true}", admin()).status())
                .isEqualTo(200);
        Object admins = sql("SELECT count(*) FROM marketplace_control.users WHERE role = 'admin' AND NOT disabled");
        if ((Long) admins == 1L) {
            expect(send("PATCH", "/api/settings/users/" + bootstrapAdmin, "{\"role\":\"operator\"}", admin()), 409,
                    "last enabled admin");
            expect(send("PATCH", "/api/settings/users/" + bootstrapAdmin, "{\"disabled\":true}", admin()), 409,
                    "last enabled admin");
        }
        assertThat(signIns.signIn(ADMIN_EMAIL, ADMIN_PASSWORD).role()).isEqualTo("admin");
    }

    static final String PASSWORD = "a long enough password";

    static String unique(String who) {
        return who + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
    }

    static String user(String email, String role) {
        return "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\",\"role\":\"" + role + "\"}";
    }

    static long idOf(String email) {
        return (Long) sql("SELECT id FROM marketplace_control.users WHERE lower(email) = lower(?)", email);
    }

    private static void expect(Answer answer, int status, String reason) {
        assertThat(answer.status()).as(answer.raw().body()).isEqualTo(status);
        if (reason != null) {
            assertThat(answer.body().get("error").asString()).contains(reason);
        }
    }
}
