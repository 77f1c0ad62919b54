package io.marketplaceindex.api.security;

import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.RawHttp;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The response headers a browser relies on, and the bound on a sign-in body. Only 127.0.0.1 is a
 * trusted proxy here: the test's HTTP client plays a TLS-terminating proxy, and a socket bound to
 * 127.0.0.2 a client connecting directly.
 */
@TestPropertySource(properties = "server.tomcat.remoteip.internal-proxies=127.0.0.1/32, ::1/128")
class HeadersIT extends ApiTestSupport {

    private static final Pattern SECURE = Pattern.compile("(?i);\\s*Secure\\s*(;|$)");
    private static final String RIGHT = "{\"email\":\"" + ADMIN_EMAIL + "\",\"password\":\"" + ADMIN_PASSWORD + "\"}";

    @Test
    void theContentSecurityPolicyCoversThePageAndTheApi() throws Exception {
        for (String path : List.of("/", "/marketplace", "/index.html", "/assets/app.js", "/api/marketplace?limit=1",
                "/actuator/env")) {
            String policy = page(path).headers().firstValue("Content-Security-Policy")
                    .orElseThrow(() -> new AssertionError("no Content-Security-Policy on " + path));
            assertThat(policy).contains("default-src 'self'", "script-src 'self'", "style-src 'self'",
                    "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'").doesNotContain("unsafe");
        }
        // the policy holds for the page only because it has no inline script, style or handler
        String page = page("/marketplace").body();
        assertThat(page).doesNotContainPattern("(?i)<script(?![^>]*\\bsrc=)[^>]*>")
                .doesNotContainPattern("(?i)<style").doesNotContainPattern("(?i)\\sstyle=")
                .doesNotContainPattern("(?i)\\son[a-z]+=");
    }

    @Test
    void behindATrustedTlsTerminatingProxyTheSessionCookieIsSecureAndHstsIsSent() throws Exception {
        Answer answer = send("POST", "/api/auth/login", RIGHT, "X-Forwarded-Proto", "https");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.raw().headers().firstValue("Set-Cookie").orElseThrow()).containsPattern(SECURE);
        assertThat(answer.raw().headers().firstValue("Strict-Transport-Security").orElseThrow())
                .contains("max-age=31536000").contains("includeSubDomains");
        assertThat(page("/", "X-Forwarded-Proto", "https").headers().firstValue("Strict-Transport-Security"))
                .isPresent();
    }

    @Test
    void overPlainHttpTheCookieIsNotSecureAndNoHstsIsSent() {
        Answer answer = send("POST", "/api/auth/login", RIGHT);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.raw().headers().firstValue("Set-Cookie").orElseThrow()).doesNotContainPattern(SECURE);
        assertThat(answer.raw().headers().firstValue("Strict-Transport-Security")).isEmpty();
    }

    @Test
    void aForwardedProtoFromAPeerThatIsNoTrustedProxyIsIgnored() throws Exception {
        byte[] body = RIGHT.getBytes(StandardCharsets.UTF_8);
        RawHttp.Response answer = RawHttp.send("127.0.0.2", port, "POST /api/auth/login HTTP/1.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\nX-Forwarded-Proto: https", body);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("Set-Cookie").orElseThrow()).doesNotContainPattern(SECURE);
        assertThat(answer.header("Strict-Transport-Security")).isEmpty();
    }

    /** Any answer, JSON or not. */
    private HttpResponse<String> page(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** 100 MB declared, 1 KB sent: the answer comes without the rest being waited for, or read. */
    @Test
    void anOversizeSignInBodyIsRefusedWith413BeforeItIsRead() throws Exception {
        RawHttp.Response declared = RawHttp.send("127.0.0.1", port, "POST /api/auth/login HTTP/1.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100000000", "{".repeat(1024).getBytes());
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.body()).contains("a sign-in body is at most 4096 bytes");

        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        for (int i = 0; i < 8; i++) {
            chunks.writeBytes(("400\r\n" + " ".repeat(1024) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        chunks.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        RawHttp.Response chunked = RawHttp.send("127.0.0.1", port, "POST /api/auth/login HTTP/1.1\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked", chunks.toByteArray());
        assertThat(chunked.status()).isEqualTo(413);

        // a body within the bound, padded with whitespace, still signs in
        String padded = RIGHT + " ".repeat(4000);
        assertThat(send("POST", "/api/auth/login", padded).status()).isEqualTo(200);
    }
}
