package io.marketplaceindex.registry;

import io.marketplaceindex.registry.RegistryFetchException.Kind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static io.marketplaceindex.registry.TestHttpServer.redirect;
import static io.marketplaceindex.registry.TestHttpServer.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class RegistryClientTest {

    private static final String TOKEN = "s3cr3t-token-value";
    private static final String RECORD = """
            {"schema":"hive-registry-record-v1","handle":"acme/agent-one","updatedAt":"2025-01-01T00:00:00Z",
             "agentCardUrl":"https://cards.example/agent-one.json"}""";

    private TestHttpServer server;
    private SimpleMeterRegistry meters;
    private final List<RegistryClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = new TestHttpServer();
        meters = new SimpleMeterRegistry();
    }

    @AfterEach
    void stop() {
        clients.forEach(RegistryClient::close);
        server.close();
    }

    /** Loopback allowed (the test server lives there); every other private range stays blocked. */
    private static RegistryClientSettings fast() {
        return fast(Map.of());
    }

    /** {@link #fast()} with these properties changed, named as in {@code marketplace.registry.*}. */
    private static RegistryClientSettings fast(Map<String, ?> overrides) {
        Map<String, Object> properties = new HashMap<>(Map.of("allow-loopback", true, "connect-timeout", "1s",
                "response-timeout", "1s", "total-request-deadline", "3s", "retry-initial-backoff", "10ms",
                "retry-max-backoff", "40ms"));
        properties.putAll(overrides);
        return RegistryClientSettings.of(properties);
    }

    private RegistryClient client(RegistryClientSettings settings) {
        RegistryClient client = new RegistryClient(settings, meters);
        clients.add(client);
        return client;
    }

    private RegistryClient client() {
        return client(fast());
    }

    private RegistryEndpoint registry() {
        return new RegistryEndpoint("reg-1", server.base(), null);
    }

    private RegistryEndpoint registryWithToken() {
        return new RegistryEndpoint("reg-1", server.base(), TOKEN);
    }

    private double requests(String outcome) {
        return meters.find("registry.http.requests").tag("outcome", outcome).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private static RegistryFetchException failure(Runnable call) {
        return catchThrowableOfType(RegistryFetchException.class, call::run);
    }

    // ------------------------------------------------------------ plain answers

    @Test
    void recordOkIsParsedWithValidators() {
        server.on("/v1/records/acme%2Fagent-one", ex -> {
            ex.getResponseHeaders().set("ETag", "W/\"v1\"");
            ex.getResponseHeaders().set("Last-Modified", "Wed, 01 Jan 2025 00:00:00 GMT");
            send(ex, 200, "application/json; charset=utf-8", RECORD);
        });

        Fetched fetched = client().recordFetch(registry(), "acme/agent-one", null);

        assertThat(fetched.status()).isEqualTo(Fetched.Status.OK);
        assertThat(fetched.httpStatus()).isEqualTo(200);
        assertThat(fetched.body().get("handle").stringValue()).isEqualTo("acme/agent-one");
        assertThat(new String(fetched.rawBody(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(RECORD);
        assertThat(fetched.etag()).isEqualTo("W/\"v1\"");
        assertThat(fetched.lastModified()).isEqualTo("Wed, 01 Jan 2025 00:00:00 GMT");
        assertThat(requests("ok")).isEqualTo(1.0);
        assertThat(meters.get("registry.http.duration").tag("outcome", "ok").timer().count()).isEqualTo(1);
    }

    @Test
    void matchingIfNoneMatchGives304() {
        server.on("/v1/records/h1", ex -> {
            if ("W/\"v1\"".equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
                send(ex, 304, null, "");
            } else {
                send(ex, 200, "application/json", RECORD);
            }
        });

        Fetched fetched = client().recordFetch(registry(), "h1", "W/\"v1\"");

        assertThat(fetched.status()).isEqualTo(Fetched.Status.NOT_MODIFIED);
        assertThat(fetched.httpStatus()).isEqualTo(304);
        assertThat(fetched.body()).isNull();
        assertThat(fetched.etag()).as("validator kept when the 304 omits it").isEqualTo("W/\"v1\"");
        assertThat(server.seen("/v1/records/h1").get(0).header("If-None-Match")).isEqualTo("W/\"v1\"");
        assertThat(requests("not_modified")).isEqualTo(1.0);
    }

    @Test
    void notFoundAndGoneAreAnswersNotFailures() {
        server.json("/v1/records/gone", 410, "{}");

        RegistryClient client = client();
        assertThat(client.recordFetch(registry(), "missing", null).status()).isEqualTo(Fetched.Status.NOT_FOUND);
        assertThat(client.recordFetch(registry(), "gone", null).status()).isEqualTo(Fetched.Status.GONE);
        assertThat(server.seen()).hasSize(2);
    }

    @Test
    void cardFetchSendsConditionalHeaders() {
        server.on("/cards/one.json", ex -> {
            assertThat(ex.getRequestHeaders().getFirst("If-Modified-Since")).isEqualTo("Wed, 01 Jan 2025 00:00:00 GMT");
            send(ex, 304, null, "");
        });

        Fetched fetched = client().cardFetch(registry(), server.base() + "/cards/one.json#frag", "\"c1\"",
                "Wed, 01 Jan 2025 00:00:00 GMT");

        assertThat(fetched.status()).isEqualTo(Fetched.Status.NOT_MODIFIED);
        assertThat(server.seen("/cards/one.json").get(0).header("If-None-Match")).isEqualTo("\"c1\"");
    }

    @Test
    void cardUrlsAreSentInTheirAsciiForm() {
        server.fallback(ex -> send(ex, 200, "application/json", "{\"name\":\"card\"}"));
        RegistryClient client = client();

        client.cardFetch(registry(), server.base() + "/cards/ag\u00e9nt.json", null, null);
        client.cardFetch(registry(), server.base() + "/cards/plain%20one.json?v=1", null, null);

        assertThat(server.seen()).extracting(TestHttpServer.Seen::rawPath)
                .containsExactly("/cards/ag%C3%A9nt.json", "/cards/plain%20one.json");
    }

    /** The fragment is cut off as it stands: the escapes before it reach the host once, not escaped again. */
    @Test
    void aCardUrlWithAFragmentKeepsItsEscapes() {
        server.fallback(ex -> send(ex, 200, "application/json", "{\"name\":\"card\"}"));
        RegistryClient client = client();

        client.cardFetch(registry(), server.base() + "/cards/a%2Fb.json?sig=x%3D#frag", null, null);
        client.cardFetch(registry(), server.base() + "/cards/caf\u00e9.json#x", null, null);

        assertThat(server.seen()).extracting(TestHttpServer.Seen::rawPath)
                .containsExactly("/cards/a%2Fb.json", "/cards/caf%C3%A9.json");
        assertThat(server.seen().get(0).rawQuery()).isEqualTo("sig=x%3D");
    }

    @Test
    void requestMetersKeepCountingAfterTheRegistryIsForgotten() {
        server.json("/v1/records/one", 200, RECORD.replace("acme/agent-one", "one"));
        RegistryClient client = client();

        client.recordFetch(registry(), "one", null);
        client.forget("reg-1");
        client.recordFetch(registry(), "one", null);

        assertThat(requests("ok")).isEqualTo(2.0);
        assertThat(meters.find("registry.http.duration").tag("registry", "reg-1").tag("target", "record").timer().count())
                .isEqualTo(2);
    }

    @Test
    void cardFreshnessComesFromItsHeadersOnOkAndNotModified() {
        server.on("/cards/fresh.json", ex -> {
            ex.getResponseHeaders().set("Cache-Control", "public, max-age=600");
            ex.getResponseHeaders().set("Age", "100");
            if (ex.getRequestHeaders().getFirst("If-None-Match") != null) {
                send(ex, 304, null, "");
            } else {
                send(ex, 200, "application/json", "{\"name\":\"fresh\"}");
            }
        });
        server.json("/cards/plain.json", 200, "{\"name\":\"plain\"}");

        RegistryClient client = client();
        assertThat(client.cardFetch(registry(), server.base() + "/cards/fresh.json", null, null).freshFor())
                .isEqualTo(Duration.ofSeconds(500));
        assertThat(client.cardFetch(registry(), server.base() + "/cards/fresh.json", "\"c1\"", null))
                .satisfies(f -> assertThat(f.status()).isEqualTo(Fetched.Status.NOT_MODIFIED))
                .satisfies(f -> assertThat(f.freshFor()).isEqualTo(Duration.ofSeconds(500)));
        assertThat(client.cardFetch(registry(), server.base() + "/cards/plain.json", null, null).freshFor())
                .isEqualTo(Duration.ZERO);
    }

    @Test
    void cardUrlMustBeAbsoluteHttp() {
        RegistryClient client = client();
        assertThat(failure(() -> client.cardFetch(registry(), "file:///etc/passwd", null, null)).kind())
                .isEqualTo(Kind.MALFORMED);
        assertThat(failure(() -> client.cardFetch(registry(), "/relative/card.json", null, null)).kind())
                .isEqualTo(Kind.MALFORMED);
        assertThat(failure(() -> client.cardFetch(registry(), "http://user:pw@127.0.0.1/card", null, null)))
                .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("pw"))
                // what was refused is shown, reduced to what is safe to show
                .satisfies(e -> assertThat(e.getMessage())
                        .isEqualTo("agent card url must not carry credentials: http://127.0.0.1/card"))
                .satisfies(e -> assertThat(e.url()).isEqualTo("http://127.0.0.1/card"));
        assertThat(server.seen()).isEmpty();
    }

    @Test
    void overlongCardUrlIsRefusedWithoutRepeatingIt() {
        String overlong = server.base() + "/cards/" + "a".repeat(5000) + "?sig=secret";

        RegistryFetchException e = failure(() -> client().cardFetch(registry(), overlong, null, null));

        assertThat(e.kind()).isEqualTo(Kind.MALFORMED);
        assertThat(e.getMessage()).startsWith("agent card url longer than ").doesNotContain("aaaa");
        assertThat(e.url()).doesNotContain("secret");
        assertThat(server.seen()).isEmpty();
    }

    // ------------------------------------------------------------ retries

    @Test
    void serverErrorIsRetriedThenFails() {
        server.json("/v1/records", 500, "{\"error\":\"boom\"}");

        RegistryFetchException e = failure(() -> client().listHandles(registry()));

        assertThat(e.kind()).isEqualTo(Kind.HTTP_STATUS);
        assertThat(e.httpStatus()).isEqualTo(500);
        assertThat(e.compatibleStatus()).isEqualTo("http_500");
        assertThat(e.url()).isEqualTo(server.base() + "/v1/records");
        assertThat(server.seen()).as("first attempt + 2 retries").hasSize(3);
        assertThat(requests("server_error")).isEqualTo(3.0);
    }

    @Test
    void serverErrorThenSuccess() {
        AtomicInteger calls = new AtomicInteger();
        server.on("/v1/records", ex -> {
            if (calls.incrementAndGet() == 1) {
                send(ex, 503, "text/html", "<h1>busy</h1>");
            } else {
                send(ex, 200, "application/json", "{\"handles\":[\"agent-0001\"]}");
            }
        });

        Listing listing = client().listHandles(registry());

        assertThat(listing.handles()).containsExactly("agent-0001");
        assertThat(calls).hasValue(2);
    }

    /** Each HTTP attempt is an observation under the caller's, named and tagged without the token. */
    @Test
    void everyAttemptIsObservedAsAChildOfTheCallersObservation() {
        AtomicInteger calls = new AtomicInteger();
        server.on("/v1/records", ex -> {
            if (calls.incrementAndGet() == 1) {
                send(ex, 503, "text/html", "<h1>busy</h1>");
            } else {
                send(ex, 200, "application/json", "{\"handles\":[\"agent-0001\"]}");
            }
        });
        List<Observation.Context> stopped = new CopyOnWriteArrayList<>();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStop(Observation.Context context) {
                stopped.add(context);
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
        RegistryClient client = new RegistryClient(fast(), meters, observations);
        clients.add(client);

        Observation sync = Observation.start("sync", observations);
        try (Observation.Scope ignored = sync.openScope()) {
            client.listHandles(registryWithToken());
        } finally {
            sync.stop();
        }

        List<Observation.Context> attempts = stopped.stream()
                .filter(c -> c.getName().equals(RegistryClient.FETCH_OBSERVATION)).toList();
        assertThat(attempts).hasSize(2).allSatisfy(c -> {
            assertThat(c.getParentObservation()).isSameAs(sync);
            assertThat(c.getContextualName()).isEqualTo("GET registry listing");
            assertThat(c.getLowCardinalityKeyValue("target").getValue()).isEqualTo("listing");
            assertThat(c.getHighCardinalityKeyValue("registry.id").getValue()).isEqualTo("reg-1");
            assertThat(c.getHighCardinalityKeyValue("url.full").getValue()).isEqualTo(server.base() + "/v1/records");
            assertThat(c.toString()).doesNotContain(TOKEN);
        });
        assertThat(attempts.get(0).getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("server_error");
        assertThat(attempts.get(0).getError()).isInstanceOf(RegistryFetchException.class);
        assertThat(attempts.get(1).getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("ok");
        assertThat(attempts.get(1).getError()).isNull();
    }

    @Test
    void tooManyRequestsHonoursRetryAfter() {
        AtomicInteger calls = new AtomicInteger();
        server.on("/v1/records", ex -> {
            if (calls.incrementAndGet() == 1) {
                ex.getResponseHeaders().set("Retry-After", "1");
                send(ex, 429, "application/json", "{}");
            } else {
                send(ex, 200, "application/json", "{\"handles\":[]}");
            }
        });

        long started = System.nanoTime();
        Listing listing = client().listHandles(registry());
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(listing.handles()).isEmpty();
        assertThat(calls).hasValue(2);
        assertThat(elapsedMs).as("waited for Retry-After").isGreaterThanOrEqualTo(900);
    }

    @Test
    void retryAfterBeyondTheCapFailsAtOnce() {
        server.on("/v1/records", ex -> {
            ex.getResponseHeaders().set("Retry-After", "120");
            send(ex, 429, "application/json", "{}");
        });

        long started = System.nanoTime();
        RegistryFetchException e = failure(() -> client().listHandles(registry()));

        assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(e.httpStatus()).isEqualTo(429);
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(120));
        assertThat(e.compatibleStatus()).isEqualTo("http_429");
        assertThat(server.seen()).hasSize(1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void unauthorizedIsNotRetried() {
        server.json("/v1/records", 401, "{\"error\":\"bad token\"}");

        RegistryFetchException e = failure(() -> client().listHandles(registryWithToken()));

        assertThat(e.kind()).isEqualTo(Kind.HTTP_STATUS);
        assertThat(e.httpStatus()).isEqualTo(401);
        assertThat(e.compatibleStatus()).isEqualTo("http_401");
        assertThat(server.seen()).hasSize(1);
        assertThat(e.getMessage()).doesNotContain(TOKEN);
    }

    // ------------------------------------------------------------ time and size limits

    @Test
    void slowResponseTimesOut() {
        server.on("/v1/health", ex -> {
            sleep(3_000);
            send(ex, 200, "application/json", "{\"ok\":true}");
        });
        RegistryClient client = client(fast(Map.of("response-timeout", "300ms", "max-retries", 0)));

        long started = System.nanoTime();
        RegistryFetchException e = failure(() -> client.health(registry()));

        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(e.compatibleStatus()).isEqualTo("error");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2_500));
        assertThat(requests("timeout")).isEqualTo(1.0);
    }

    @Test
    void tricklingBodyHitsTheTotalDeadline() {
        server.on("/v1/records", ex -> {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0); // chunked
            try (OutputStream out = ex.getResponseBody()) {
                out.write("{\"handles\":[".getBytes());
                for (int i = 0; i < 100; i++) { // one byte every 50 ms: never idle long enough to time out a read
                    out.write(' ');
                    out.flush();
                    sleep(50);
                }
            }
        });
        RegistryClient client = client(fast(Map.of("total-request-deadline", "700ms", "max-retries", 0)));

        long started = System.nanoTime();
        RegistryFetchException e = failure(() -> client.listHandles(registry()));

        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(e.getMessage()).contains("total deadline");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2_500));
    }

    @Test
    void stalledBodyIsCutAtTheDeadlineNotTheReadTimeout() {
        server.on("/v1/records", ex -> {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                out.write("{\"handles\":[".getBytes());
                out.flush();
                sleep(4_000);
            }
        });
        RegistryClient client = client(fast(Map.of("response-timeout", "5s", "total-request-deadline", "600ms",
                "max-retries", 0)));

        long started = System.nanoTime();
        RegistryFetchException e = failure(() -> client.listHandles(registry()));

        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2_500));
    }

    @Test
    void oversizedCardIsRefusedWhetherAnnouncedOrNot() {
        byte[] big = ("{\"pad\":\"" + "x".repeat(600_000) + "\"}").getBytes();
        server.on("/card-announced", ex -> send(ex, 200, "application/json", big));
        server.on("/card-chunked", ex -> {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(big);
            }
        });
        RegistryClient client = client();

        RegistryFetchException announced = failure(() -> client.cardFetch(registry(), server.base() + "/card-announced", null, null));
        RegistryFetchException streamed = failure(() -> client.cardFetch(registry(), server.base() + "/card-chunked", null, null));

        assertThat(announced.kind()).isEqualTo(Kind.TOO_LARGE);
        assertThat(announced.getMessage()).contains("512000");
        assertThat(streamed.kind()).isEqualTo(Kind.TOO_LARGE);
        assertThat(server.seen()).as("size limits are not retried").hasSize(2);
    }

    @Test
    void malformedJsonAndNonObjectsAreMalformed() {
        server.json("/v1/records/broken", 200, "{\"schema\": \"hive-registry-record-v1\", ");
        server.json("/v1/records/array", 200, "[1,2,3]");
        server.json("/v1/records/trailing", 200, "{} {}");
        RegistryClient client = client();

        for (String handle : List.of("broken", "array", "trailing")) {
            RegistryFetchException e = failure(() -> client.recordFetch(registry(), handle, null));
            assertThat(e.kind()).as(handle).isEqualTo(Kind.MALFORMED);
            assertThat(e.getMessage().length()).isLessThanOrEqualTo(RegistryFetchException.MAX_MESSAGE_CHARS);
        }
        assertThat(server.seen()).hasSize(3);
    }

    @Test
    void htmlIsTheWrongContentType() {
        server.on("/v1/records", ex -> send(ex, 200, "text/html; charset=utf-8", "<html>login</html>"));
        server.on("/v1/records/h", ex -> send(ex, 200, "application/vnd.registry+json", RECORD));
        RegistryClient client = client();

        RegistryFetchException e = failure(() -> client.listHandles(registry()));

        assertThat(e.kind()).isEqualTo(Kind.CONTENT_TYPE);
        assertThat(e.getMessage()).contains("unexpected content type 'text/html'");
        assertThat(client.recordFetch(registry(), "h", null).status()).isEqualTo(Fetched.Status.OK);
    }

    // ------------------------------------------------------------ redirects and SSRF

    @Test
    void relativeRedirectIsFollowed() {
        server.on("/v1/records/old", ex -> redirect(ex, 301, "/v1/records/new"));
        server.json("/v1/records/new", 200, RECORD);

        Fetched fetched = client().recordFetch(registry(), "old", null);

        assertThat(fetched.status()).isEqualTo(Fetched.Status.OK);
        assertThat(server.seen()).extracting(TestHttpServer.Seen::rawPath)
                .containsExactly("/v1/records/old", "/v1/records/new");
    }

    @Test
    void redirectLoopStopsAfterMaxRedirects() {
        server.on("/v1/records", ex -> redirect(ex, 302, "/v1/records"));

        RegistryFetchException e = failure(() -> client().listHandles(registry()));

        assertThat(e.kind()).isEqualTo(Kind.REDIRECT);
        assertThat(e.getMessage()).contains("more than 3 redirects");
        assertThat(server.seen()).as("first request + 3 followed redirects").hasSize(4);
    }

    @Test
    void redirectToMetadataOrPrivateNetworkIsRefused() {
        server.on("/meta", ex -> redirect(ex, 302, "http://169.254.169.254/latest/meta-data/"));
        server.on("/private", ex -> redirect(ex, 307, "http://10.1.2.3:8080/internal"));
        server.on("/mapped", ex -> redirect(ex, 302, "http://[::ffff:169.254.169.254]/latest/meta-data/"));
        server.on("/file", ex -> redirect(ex, 302, "file:///etc/passwd"));
        // A long connect timeout: if the guard let the hop through, the attempt would visibly hang.
        RegistryClient client = client(fast(Map.of("connect-timeout", "5s")));

        for (String path : List.of("/meta", "/private", "/mapped")) {
            long started = System.nanoTime();
            RegistryFetchException e = failure(() -> client.cardFetch(registry(), server.base() + path, null, null));
            assertThat(e.kind()).as(path).isEqualTo(Kind.REFUSED_ADDRESS);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("refused before connecting")
                    .isLessThan(Duration.ofSeconds(2));
        }
        assertThat(failure(() -> client.cardFetch(registry(), server.base() + "/file", null, null)).kind())
                .isEqualTo(Kind.REDIRECT);
        assertThat(requests("refused")).isEqualTo(3.0);
    }

    @Test
    void metadataStaysBlockedEvenWhenPrivateAddressesAreAllowed() {
        server.on("/meta", ex -> redirect(ex, 302, "http://169.254.169.254/latest/meta-data/"));
        RegistryClient client = client(fast(Map.of("allow-private-addresses", true)));

        assertThat(failure(() -> client.cardFetch(registry(), server.base() + "/meta", null, null)).kind())
                .isEqualTo(Kind.REFUSED_ADDRESS);
    }

    @Test
    void loopbackIsRefusedByDefaultBeforeAnyRequest() {
        server.json("/v1/health", 200, "{\"ok\":true}");
        RegistryClient client = client(fast(Map.of("allow-loopback", false)));

        RegistryFetchException literal = failure(() -> client.health(registry()));
        RegistryFetchException named = failure(() -> client.health(new RegistryEndpoint("reg-2", server.localhostBase(), null)));

        assertThat(literal.kind()).isEqualTo(Kind.REFUSED_ADDRESS);
        assertThat(literal.getMessage()).contains("127.0.0.1").contains("loopback");
        assertThat(named.kind()).isEqualTo(Kind.REFUSED_ADDRESS);
        assertThat(server.seen()).isEmpty();
    }

    // ------------------------------------------------------------ bearer token

    @Test
    void bearerTokenGoesToTheRegistryEndpointsOnlyNotToCardsByDefault() {
        server.json("/v1/health", 200, "{\"ok\":true}");
        server.json("/v1/records", 200, "{\"handles\":[\"agent-0001\"]}");
        server.json("/v1/records/agent-0001", 200, "{\"handle\":\"agent-0001\"}");
        // A publisher names a private path of the registry as its card: the catalog serves cards publicly.
        server.json("/admin/secrets.json", 200, "{\"name\":\"private\"}");
        server.on("/cards/hop.json", ex -> redirect(ex, 302, "/admin/secrets.json"));
        RegistryClient client = client();
        RegistryEndpoint registry = registryWithToken();

        client.health(registry);
        client.listHandles(registry);
        client.recordFetch(registry, "agent-0001", null);
        client.cardFetch(registry, server.base() + "/admin/secrets.json", null, null);
        client.cardFetch(registry, server.base() + "/cards/hop.json", null, null);

        assertThat(server.seen()).extracting(s -> s.rawPath() + " " + s.header("Authorization")).containsExactly(
                "/v1/health Bearer " + TOKEN,
                "/v1/records Bearer " + TOKEN,
                "/v1/records/agent-0001 Bearer " + TOKEN,
                "/admin/secrets.json null",
                "/cards/hop.json null",
                "/admin/secrets.json null");
    }

    @Test
    void cardsGetTheTokenWhenTheOperatorEnabledItAndOnTheRegistryOriginOnly() {
        server.json("/v1/records", 200, "{\"handles\":[\"agent-0001\"]}");
        server.json("/cards/same.json", 200, "{\"name\":\"same\"}");
        server.json("/cards/other.json", 200, "{\"name\":\"other\"}");
        server.on("/cards/hop.json", ex -> redirect(ex, 302, server.localhostBase() + "/cards/other.json"));
        RegistryClient client = client();
        RegistryEndpoint registry = new RegistryEndpoint("reg-1", server.base(), TOKEN, true);

        client.listHandles(registry);
        client.cardFetch(registry, server.base() + "/cards/same.json", null, null);
        client.cardFetch(registry, server.localhostBase() + "/cards/other.json", null, null);
        client.cardFetch(registry, server.base() + "/cards/hop.json", null, null);

        List<TestHttpServer.Seen> seen = server.seen();
        assertThat(seen).extracting(s -> s.rawPath() + " " + s.header("Authorization")).containsExactly(
                "/v1/records Bearer " + TOKEN,
                "/cards/same.json Bearer " + TOKEN,
                "/cards/other.json null",
                "/cards/hop.json Bearer " + TOKEN,
                "/cards/other.json null");
        assertThat(seen).allSatisfy(s -> assertThat(s.header("User-Agent")).isEqualTo("marketplace-index/0.1"));
        assertThat(registry.toString()).doesNotContain(TOKEN).contains("sendTokenToCards=true");
    }

    @Test
    void tokenNeverAppearsInFailures() {
        server.json("/v1/records", 500, "{\"echo\":\"Bearer " + TOKEN + "\"}");
        server.on("/v1/health", ex -> send(ex, 200, "text/html", "<p>" + TOKEN + "</p>"));
        server.json("/v1/records/bad", 200, "{\"token\":\"" + TOKEN + "\"");
        server.on("/v1/records/loop", ex -> redirect(ex, 302, "/v1/records/loop?token=" + TOKEN));
        RegistryClient client = client(fast(Map.of("max-retries", 0)));
        RegistryEndpoint registry = registryWithToken();

        List<Supplier<Object>> calls = List.of(
                () -> client.listHandles(registry),
                () -> client.health(registry),
                () -> client.recordFetch(registry, "bad", null),
                () -> client.recordFetch(registry, "loop", null),
                () -> client.cardFetch(registry, "http://169.254.169.254/?t=" + TOKEN, null, null));
        for (Supplier<Object> call : calls) {
            RegistryFetchException e = failure(call::get);
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).doesNotContain(TOKEN);
            assertThat(String.valueOf(e.url())).doesNotContain(TOKEN);
            assertThat(e.toString()).doesNotContain(TOKEN);
        }
        assertThat(registry.toString()).doesNotContain(TOKEN);
    }

    // ------------------------------------------------------------ handles and listings

    @Test
    void handlesReachTheServerExactlyAsWritten() {
        List<String> received = new ArrayList<>();
        server.fallback(ex -> {
            received.add(ex.getRequestURI().getPath().substring("/v1/records/".length()));
            send(ex, 200, "application/json", RECORD);
        });
        RegistryClient client = client();
        String tricky = "a/b#c:d e";
        String unicode = "agent-ü-日本-😀?x=1";

        client.recordFetch(registry(), tricky, null);
        client.recordFetch(registry(), unicode, null);
        client.recordFetch(registry(), "..", null);

        assertThat(received).containsExactly(tricky, unicode, "..");
        assertThat(server.seen().get(0).rawPath()).isEqualTo("/v1/records/a%2Fb%23c%3Ad%20e");
        assertThat(server.seen().get(2).rawPath()).isEqualTo("/v1/records/%2E%2E");
    }

    @Test
    void listingCountsAndSkipsMalformedEntries() {
        server.json("/v1/records", 200, """
                {"handles": ["agent-0001", 42, null, "", "   ", "%s", "bad\\u0001handle", "agent-0001",
                             {"handle":"x"}, "agent-0002", "\\ud800lone", ["nested"]],
                 "catalogProof": {"sigHex": "abcd"}}""".formatted("x".repeat(513)));

        Listing listing = client().listHandles(registry());

        assertThat(listing.handles()).containsExactly("agent-0001", "agent-0002");
        assertThat(listing.malformedEntries()).isEqualTo(9);
        assertThat(listing.catalogProof().get("sigHex").stringValue()).isEqualTo("abcd");
    }

    @Test
    void listingWithoutHandlesArrayIsAnError() {
        server.json("/v1/records", 200, "{\"handles\": \"agent-0001\"}");

        RegistryFetchException e = failure(() -> client().listHandles(registry()));

        assertThat(e.kind()).isEqualTo(Kind.MALFORMED);
        assertThat(e.getMessage()).contains("listing has no handles array");
    }

    @Test
    void listingShapes() {
        server.json("/v1/records", 200, """
                {"catalogProof": "not-an-object", "meta": {"handles": ["ignored"]},
                 "handles": ["agent-0001"], "handles": ["agent-9999"]}""");
        RegistryClient client = client();

        Listing listing = client.listHandles(registry());
        assertThat(listing.handles()).containsExactly("agent-0001");
        assertThat(listing.malformedEntries()).isZero();
        assertThat(listing.catalogProof()).isNull();

        for (String body : List.of("[\"agent-0001\"]", "{\"handles\": []} []", "{\"handles\": [\"a\", ", "")) {
            server.json("/v1/records", 200, body);
            assertThat(failure(() -> client.listHandles(registry())).kind()).as(body).isEqualTo(Kind.MALFORMED);
        }
    }

    @Test
    void healthNeedsOkTrue() {
        server.json("/v1/health", 200, "{\"ok\":true,\"version\":\"1\"}");
        RegistryClient client = client();
        JsonNode health = client.health(registry());
        assertThat(health.get("version").stringValue()).isEqualTo("1");

        server.json("/v1/health", 200, "{\"ok\":false}");
        RegistryFetchException e = failure(() -> client.health(registry()));
        assertThat(e.kind()).isEqualTo(Kind.MALFORMED);
        assertThat(e.getMessage()).contains("health check answered ok=false");
    }

    // ------------------------------------------------------------ circuit breaker and rate limit

    @Test
    void circuitOpensAfterRepeatedFailuresAndFailsFast() {
        server.json("/v1/records", 500, "{}");
        server.json("/v1/records/fine", 200, RECORD);
        server.json("/dead-card", 503, "{}");
        RegistryClient client = client(fast(Map.of("max-retries", 0, "circuit-sliding-window-size", 4,
                "circuit-minimum-calls", 4, "circuit-open-duration", "30s")));

        for (int i = 0; i < 4; i++) {
            assertThat(failure(() -> client.cardFetch(registry(), server.base() + "/dead-card", null, null)).kind())
                    .isEqualTo(Kind.HTTP_STATUS);
        }
        assertThat(failure(() -> client.cardFetch(registry(), server.base() + "/dead-card", null, null)).kind())
                .isEqualTo(Kind.CIRCUIT_OPEN);
        assertThat(client.recordFetch(registry(), "fine", null).status())
                .as("dead card hosts do not stop the registry's records").isEqualTo(Fetched.Status.OK);

        RegistryEndpoint failing = new RegistryEndpoint("reg-failing", server.base(), null);
        for (int i = 0; i < 4; i++) {
            assertThat(failure(() -> client.listHandles(failing)).kind()).isEqualTo(Kind.HTTP_STATUS);
        }
        int before = server.seen().size();
        long started = System.nanoTime();
        RegistryFetchException open = failure(() -> client.listHandles(failing));

        assertThat(open.kind()).isEqualTo(Kind.CIRCUIT_OPEN);
        assertThat(open.getMessage()).contains("reg-failing");
        assertThat(open.compatibleStatus()).isEqualTo("error");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(500));
        assertThat(server.seen()).hasSize(before);
        assertThat(requests("circuit_open")).isEqualTo(2.0);
    }

    @Test
    void clientErrorsDoNotOpenTheCircuit() {
        server.json("/v1/records", 403, "{}");
        RegistryClient client = client(fast(Map.of("circuit-sliding-window-size", 2, "circuit-minimum-calls", 2)));

        for (int i = 0; i < 5; i++) {
            assertThat(failure(() -> client.listHandles(registry())).kind()).isEqualTo(Kind.HTTP_STATUS);
        }
        assertThat(server.seen()).hasSize(5);
    }

    @Test
    void rateLimitPacesRequestsPerRegistry() {
        server.json("/v1/health", 200, "{\"ok\":true}");
        RegistryClient client = client(fast(Map.of("rate-limit-per-second", 10)));

        long started = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            client.health(registry());
        }

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("test server interrupted", e);
        }
    }
}
