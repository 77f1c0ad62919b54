package io.marketplaceindex.api.account;

import io.marketplaceindex.api.ApiTestSupport;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.util.HexFormat;

import static io.marketplaceindex.api.account.AccountsApiIT.PASSWORD;
import static io.marketplaceindex.api.account.AccountsApiIT.unique;
import static io.marketplaceindex.api.account.AccountsApiIT.user;
import static org.assertj.core.api.Assertions.assertThat;

/** API tokens over real HTTP and the real schema: issued, shown once, hashed, capped, revoked and expired. */
class ApiTokensIT extends ApiTestSupport {

    private final SignIns signIns = new SignIns(this::send);

    @Test
    void aTokenIsShownOnceStoredHashedAndActsWithItsRole() throws Exception {
        Answer issued = send("POST", "/api/settings/tokens",
                "{\"name\":\"ci deploys\",\"role\":\"operator\",\"expiresInDays\":30}", admin());
        assertThat(issued.status()).isEqualTo(201);
        assertThat(issued.raw().headers().firstValue("Cache-Control")).hasValue("no-store");
        String secret = issued.body().get("token").asString();
        String id = issued.body().get("id").asString();
        assertThat(secret).startsWith("mit_").hasSize(4 + 43);
        assertThat(issued.body().get("role").asString()).isEqualTo("operator");
        assertThat(OffsetDateTime.parse(issued.body().get("expiresAt").asString()))
                .isBetween(OffsetDateTime.now().plusDays(29), OffsetDateTime.now().plusDays(31));

        String stored = (String) sql("SELECT encode(secret_hash, 'hex') FROM marketplace_control.api_tokens WHERE id = ?::uuid", id);
        assertThat(stored).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8))));
        assertThat(get("/api/settings/tokens", admin()).raw().body()).contains(id).doesNotContain(secret)
                .doesNotContain(stored);

        String[] bearer = {"Authorization", "Bearer " + secret};
        assertThat(get("/api/settings/registries", bearer).status()).isEqualTo(200);
        assertThat(get("/api/settings/users", bearer).status()).isEqualTo(403);
        assertThat(get("/api/auth/me", bearer).body().get("role").asString()).isEqualTo("operator");
        assertThat(get("/api/settings/registries", "Authorization", "Bearer " + secret + "x").status()).isEqualTo(401);
    }

    @Test
    void aUserIssuesTokensForThemselvesAtMostTheirOwnRoleAndSeesOnlyTheirs() {
        String email = unique("viewer");
        assertThat(send("POST", "/api/settings/users", user(email, "viewer"), admin()).status()).isEqualTo(201);
        SignIns.Session viewer = signIns.signIn(email, PASSWORD);
        Answer tooHigh = send("POST", "/api/settings/tokens", "{\"name\":\"mine\",\"role\":\"operator\"}", viewer.headers());
        assertThat(tooHigh.status()).isEqualTo(403);
        assertThat(tooHigh.body().get("error").asString()).contains("at most your own (viewer)");
        Answer own = send("POST", "/api/settings/tokens", "{\"name\":\"mine\"}", viewer.headers());
        assertThat(own.status()).isEqualTo(201);
        assertThat(own.body().get("role").asString()).isEqualTo("viewer");
        send("POST", "/api/settings/tokens", "{\"name\":\"someone else's\"}", admin());

        Answer mine = get("/api/settings/tokens", viewer.headers());
        assertThat(mine.status()).isEqualTo(200);
        assertThat(mine.body().get("tokens")).hasSize(1);
        assertThat(mine.body().get("tokens").get(0).get("owner").asString()).isEqualTo(email);
        String othersId = get("/api/settings/tokens", admin()).body().get("tokens").valueStream()
                .filter(t -> t.get("name").asString().equals("someone else's")).findFirst().orElseThrow()
                .get("id").asString();
        assertThat(send("DELETE", "/api/settings/tokens/" + othersId, null, viewer.headers()).status()).isEqualTo(404);

        for (String bad : new String[]{"{}", "{\"name\":\"\"}", "{\"name\":\"" + "n".repeat(101) + "\"}",
                "{\"name\":\"x\",\"expiresInDays\":0}", "{\"name\":\"x\",\"expiresInDays\":400}",
                "{\"name\":\"x\",\"role\":\"root\"}"}) {
            assertThat(send("POST", "/api/settings/tokens", bad, admin()).status()).as(bad).isEqualTo(400);
        }
        assertThat(send("DELETE", "/api/settings/tokens/not-a-uuid", null, admin()).status()).isEqualTo(400);
    }

    /**
     * Who asked is recorded as one name: the account, with the token's name when one of its tokens
     * asked, or the bootstrap token; the same name the commands' requested_by carry (RegistryApiIT).
     */
    @Test
    void whatATokenCreatesNamesItsAccountAndTheToken() {
        String email = unique("alice");
        assertThat(send("POST", "/api/settings/users", user(email, "admin"), admin()).status()).isEqualTo(201);
        assertThat(sql("SELECT created_by FROM marketplace_control.users WHERE email = ?", email))
                .isEqualTo("bootstrap-token");
        SignIns.Session alice = signIns.signIn(email, PASSWORD);
        Answer ciBot = send("POST", "/api/settings/tokens", "{\"name\":\"ci-bot\"}", alice.headers());
        assertThat(ciBot.status()).isEqualTo(201);
        assertThat(sql("SELECT created_by FROM marketplace_control.api_tokens WHERE id = ?::uuid",
                ciBot.body().get("id").asString())).isEqualTo(email);

        String[] bearer = {"Authorization", "Bearer " + ciBot.body().get("token").asString()};
        Answer nested = send("POST", "/api/settings/tokens", "{\"name\":\"nightly\"}", bearer);
        assertThat(nested.status()).isEqualTo(201);
        assertThat(sql("SELECT created_by FROM marketplace_control.api_tokens WHERE id = ?::uuid",
                nested.body().get("id").asString())).isEqualTo(email + " (token ci-bot)");
        String bob = unique("bob");
        assertThat(send("POST", "/api/settings/users", user(bob, "viewer"), bearer).status()).isEqualTo(201);
        assertThat(sql("SELECT created_by FROM marketplace_control.users WHERE email = ?", bob))
                .isEqualTo(email + " (token ci-bot)");
        // the token is still its account's for everything else: sessions and /me name the account alone
        assertThat(get("/api/auth/me", bearer).body().get("user").asString()).isEqualTo(email);
    }

    @Test
    void aRevokedOrExpiredTokenIsRefusedAtTheNextRequest() {
        String revoked = issue("to revoke");
        String[] bearer = {"Authorization", "Bearer " + revoked};
        assertThat(get("/api/settings/registries", bearer).status()).isEqualTo(200);
        String id = idOf(revoked);
        Answer answer = send("DELETE", "/api/settings/tokens/" + id, null, admin());
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().get("revokedAt").isNull()).isFalse();
        assertThat(get("/api/settings/registries", bearer).status()).isEqualTo(401);
        assertThat(get("/api/marketplace?limit=1", bearer).status()).as("not even a public read").isEqualTo(401);

        // another replica revoking it, or its expiry passing, is seen at once: no cache stands in between
        String other = issue("revoked elsewhere");
        assertThat(get("/api/settings/registries", "Authorization", "Bearer " + other).status()).isEqualTo(200);
        sql("UPDATE marketplace_control.api_tokens SET revoked_at = now() WHERE id = ?::uuid", idOf(other));
        assertThat(get("/api/settings/registries", "Authorization", "Bearer " + other).status()).isEqualTo(401);

        String expiring = issue("expiring");
        assertThat(get("/api/settings/registries", "Authorization", "Bearer " + expiring).status()).isEqualTo(200);
        sql("UPDATE marketplace_control.api_tokens SET expires_at = now() - interval '1 second' WHERE id = ?::uuid",
                idOf(expiring));
        Answer expired = get("/api/settings/registries", "Authorization", "Bearer " + expiring);
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.body().get("error").asString()).isEqualTo("invalid, expired or revoked bearer token");
    }

    @Test
    void lastUseIsRecordedAtMostOnceAMinute() {
        String secret = issue("busy");
        String id = idOf(secret);
        assertThat(sql("SELECT last_used_at FROM marketplace_control.api_tokens WHERE id = ?::uuid", id)).isNull();
        get("/api/settings/registries", "Authorization", "Bearer " + secret);
        Object first = sql("SELECT last_used_at FROM marketplace_control.api_tokens WHERE id = ?::uuid", id);
        assertThat(first).isNotNull();
        for (int i = 0; i < 5; i++) {
            get("/api/settings/registries", "Authorization", "Bearer " + secret);
        }
        assertThat(sql("SELECT last_used_at FROM marketplace_control.api_tokens WHERE id = ?::uuid", id)).isEqualTo(first);
        sql("UPDATE marketplace_control.api_tokens SET last_used_at = now() - interval '2 minutes' WHERE id = ?::uuid", id);
        get("/api/settings/registries", "Authorization", "Bearer " + secret);
        assertThat((Boolean) sql("SELECT last_used_at > now() - interval '10 seconds' FROM marketplace_control.api_tokens "
                + "WHERE id = ?::uuid", id)).isTrue();
    }

    @Test
    void aTokenFollowsItsAccount() {
        String email = unique("owner");
        send("POST", "/api/settings/users", user(email, "operator"), admin());
        SignIns.Session operator = signIns.signIn(email, PASSWORD);
        String secret = send("POST", "/api/settings/tokens", "{\"name\":\"mine\",\"role\":\"operator\"}",
                operator.headers()).body().get("token").asString();
        String[] bearer = {"Authorization", "Bearer " + secret};
        assertThat(get("/api/settings/registries", bearer).status()).isEqualTo(200);
        long userId = AccountsApiIT.idOf(email);

        send("PATCH", "/api/settings/users/" + userId, "{\"role\":\"viewer\"}", admin());
        assertThat(get("/api/settings/registries", bearer).status()).as("capped by the account's role now").isEqualTo(403);
        assertThat(get("/api/settings/tokens", bearer).status()).isEqualTo(200);

        send("PATCH", "/api/settings/users/" + userId, "{\"disabled\":true}", admin());
        assertThat(get("/api/settings/tokens", bearer).status()).isEqualTo(401);
    }

    private String issue(String name) {
        Answer issued = send("POST", "/api/settings/tokens", "{\"name\":\"" + name + "\",\"role\":\"operator\"}", admin());
        assertThat(issued.status()).isEqualTo(201);
        return issued.body().get("token").asString();
    }

    private static String idOf(String secret) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return sql("SELECT id FROM marketplace_control.api_tokens WHERE secret_hash = ?", (Object) hash).toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
