package io.marketplaceindex.registry;

import io.marketplaceindex.registry.RegistryFetchException.Kind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static io.marketplaceindex.registry.TestHttpServer.redirect;
import static io.marketplaceindex.registry.TestHttpServer.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Public answers (an agent's {@code cardError}, the catalog's {@code meta.sources[].error}) carry
 * {@link RegistryFetchException#publicMessage()}; operators read {@link RegistryFetchException#getMessage()}.
 * Every failure here is produced by the real client against a real server or a real refusal.
 */
class PublicErrorMessagesTest {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F]{0,4}:[0-9a-fA-F]{0,4}:");
    private static final Pattern PORT = Pattern.compile(":\\d{2,5}");

    private TestHttpServer server;
    private final List<RegistryClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = new TestHttpServer();
    }

    @AfterEach
    void stop() {
        clients.forEach(RegistryClient::close);
        server.close();
    }

    private RegistryClient client(boolean allowPrivate, boolean allowLoopback) {
        RegistryClient client = new RegistryClient(RegistryClientSettings.of(Map.of("allow-private-addresses", allowPrivate,
                "allow-loopback", allowLoopback, "max-retries", 0, "connect-timeout", "500ms",
                "response-timeout", "500ms", "total-request-deadline", "2s", "max-card-bytes", 64)),
                new SimpleMeterRegistry());
        clients.add(client);
        return client;
    }

    private RegistryFetchException cardFailure(RegistryClient client, String url) {
        RegistryEndpoint registry = new RegistryEndpoint("reg-public", server.base(), "tok-public");
        RegistryFetchException e = catchThrowableOfType(RegistryFetchException.class,
                () -> client.cardFetch(registry, url, null, null));
        assertThat(e).as(url).isNotNull();
        return e;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void publicTextNamesNoAddressPortOrKindOfNetworkFailure() throws IOException {
        server.on("/hang", ex -> {
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            send(ex, 200, "application/json", "{}");
        });
        server.on("/to-metadata", ex -> redirect(ex, 302, "http://169.254.169.254/latest/meta-data/"));
        server.on("/to-private", ex -> redirect(ex, 302, "http://10.20.30.40:8443/admin"));
        server.json("/500", 500, "{}");
        server.json("/big", 200, "{\"name\":\"" + "x".repeat(200) + "\"}");
        server.on("/html", ex -> send(ex, 200, "text/html", "<p>10.0.0.9</p>"));
        server.json("/broken", 200, "{\"name\":");
        RegistryClient strict = client(false, false);
        RegistryClient permissive = client(true, true);
        int closed = closedPort();

        // failure -> the detail operators must still see
        Map<String, RegistryFetchException> unreachable = new LinkedHashMap<>();
        unreachable.put("metadata literal, private allowed", cardFailure(permissive, "http://169.254.169.254/latest/meta-data/"));
        unreachable.put("metadata literal, strict", cardFailure(strict, "http://169.254.169.254/latest/meta-data/"));
        unreachable.put("ECS credentials, private allowed", cardFailure(permissive, "http://169.254.170.2/v2/credentials"));
        unreachable.put("GCP IPv6 metadata, private allowed", cardFailure(permissive, "http://[fd20:ce::254]/computeMetadata/v1/"));
        unreachable.put("loopback, strict", cardFailure(strict, server.base() + "/500"));
        unreachable.put("private, strict", cardFailure(strict, "http://10.20.30.40:8443/admin"));
        unreachable.put("redirect to metadata", cardFailure(permissive, server.base() + "/to-metadata"));
        unreachable.put("redirect to private, strict", cardFailure(client(false, true), server.base() + "/to-private"));
        unreachable.put("read timed out", cardFailure(permissive, server.base() + "/hang"));
        unreachable.put("connection refused", cardFailure(permissive, "http://127.0.0.1:" + closed + "/card.json"));
        unreachable.put("unknown host", cardFailure(permissive, "http://card-host.invalid/card.json"));

        assertThat(unreachable.get("metadata literal, private allowed").getMessage()).contains("169.254.169.254");
        assertThat(unreachable.get("private, strict").getMessage()).contains("10.20.30.40");
        assertThat(unreachable.get("read timed out").kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(unreachable.get("read timed out").getMessage()).contains("timed out").contains("127.0.0.1");
        assertThat(unreachable.get("connection refused").getMessage()).containsIgnoringCase("refused")
                .contains(String.valueOf(closed));
        // A host the guard refused, a host that timed out, a refused connection and an unknown host: one public text.
        unreachable.forEach((what, e) -> assertThat(e.publicMessage()).as(what)
                .isEqualTo(RegistryFetchException.PUBLIC_UNREACHABLE));

        Map<String, RegistryFetchException> others = new LinkedHashMap<>();
        others.put("HTTP 500", cardFailure(permissive, server.base() + "/500"));
        others.put("too large", cardFailure(permissive, server.base() + "/big"));
        others.put("not JSON", cardFailure(permissive, server.base() + "/html"));
        others.put("malformed JSON", cardFailure(permissive, server.base() + "/broken"));
        others.put("bad url", cardFailure(permissive, "http://0xa9.0xfe.0xa9.0xfe/"));
        assertThat(others.get("HTTP 500").publicMessage()).isEqualTo("HTTP 500");
        assertThat(others.get("too large").publicMessage()).isEqualTo("answer too large");
        assertThat(others.get("not JSON").publicMessage()).isEqualTo("answer is not JSON");
        assertThat(others.get("malformed JSON").publicMessage()).isEqualTo("malformed answer or URL");
        assertThat(others.get("bad url").publicMessage()).isEqualTo("malformed answer or URL");

        List<RegistryFetchException> all = new ArrayList<>(unreachable.values());
        all.addAll(others.values());
        for (RegistryFetchException e : all) {
            String text = e.publicMessage();
            assertThat(text).as(e.getMessage())
                    .doesNotContainPattern(IPV4).doesNotContainPattern(IPV6).doesNotContainPattern(PORT)
                    .doesNotContainIgnoringCase("refused").doesNotContainIgnoringCase("timed out")
                    .doesNotContainIgnoringCase("timeout").doesNotContainIgnoringCase("localhost")
                    .doesNotContain("tok-public").doesNotContain("http");
        }
    }

    @Test
    void everyKindHasAPublicTextFromTheFixedVocabulary() {
        List<String> vocabulary = List.of(RegistryFetchException.PUBLIC_UNREACHABLE, "HTTP 401", "HTTP error",
                "rate limited", "answer too large", "redirect not followed", "answer is not JSON",
                "malformed answer or URL");
        for (Kind kind : Kind.values()) {
            Integer status = kind == Kind.HTTP_STATUS ? Integer.valueOf(401) : null;
            RegistryFetchException e = new RegistryFetchException(kind,
                    "detail naming 10.1.2.3:8080 and http://internal.example/x", "http://10.1.2.3:8080/x", status, null);
            assertThat(vocabulary).as(kind.name()).contains(e.publicMessage());
        }
        assertThat(RegistryFetchException.publicMessage(new IllegalStateException("jdbc:postgresql://10.0.0.5/db")))
                .isEqualTo("internal error");
    }
}
