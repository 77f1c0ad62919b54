package io.marketplaceindex.api.account;

import io.marketplaceindex.api.ApiTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** Signs in over HTTP as the page does and keeps what later requests must send back. */
public final class SignIns {

    /** What the tests' send(method, path, body, headers) is. */
    @FunctionalInterface
    public interface Sender {
        ApiTestSupport.Answer send(String method, String path, String body, String... headers);
    }

    /** @param cookie the session cookie as a Cookie header value; @param csrf the token to send, or null */
    public record Session(String cookie, String csrf, String role) {

        /** Headers for a request of this session, CSRF token included. */
        public String[] headers() {
            return csrf == null ? new String[]{"Cookie", cookie} : new String[]{"Cookie", cookie, "X-CSRF-TOKEN", csrf};
        }

        /** The cookie alone, as a cross-site form post would send it. */
        public String[] cookieOnly() {
            return new String[]{"Cookie", cookie};
        }
    }

    private final Sender sender;

    public SignIns(Sender sender) {
        this.sender = sender;
    }

    public ApiTestSupport.Answer attempt(String email, String password) {
        return sender.send("POST", "/api/auth/login", "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
    }

    public Session signIn(String email, String password) {
        ApiTestSupport.Answer answer = attempt(email, password);
        assertThat(answer.status()).as("sign-in of %s: %s", email, answer.raw().body()).isEqualTo(200);
        String setCookie = answer.raw().headers().firstValue("Set-Cookie").orElseThrow();
        String csrf = answer.body().has("csrfToken") ? answer.body().get("csrfToken").asString() : null;
        return new Session(setCookie.substring(0, setCookie.indexOf(';')), csrf, answer.body().get("role").asString());
    }
}
