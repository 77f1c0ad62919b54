package io.marketplaceindex.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketplaceindex.simulator.Fault.Target;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

class FaultTest {

    static RegistrySimulator sim;
    static SimulatedRegistry reg;
    final Http http = new Http();

    @BeforeAll
    static void start() {
        sim = RegistrySimulator.start(SimulatorOptions.defaults());
        reg = sim.addRegistry("faulty", 50, 3L);
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @BeforeEach
    void clear() {
        reg.clearFaults();
    }

    private String listing() {
        return reg.baseUrl() + "/v1/records";
    }

    @Test
    void statusForTheFirstRequestsOnly() {
        reg.setFault(Fault.status(Target.listing(), 503).firstRequests(2));
        assertThat(http.get(listing()).statusCode()).isEqualTo(503);
        HttpResponse<String> second = http.get(listing());
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(second.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(http.get(listing()).statusCode()).isEqualTo(200);
    }

    @Test
    void statusOnEveryRecordOrOneHandle() {
        String h = "agent-00001.faulty";
        reg.setFault(Fault.status(Target.record(h), 500));
        assertThat(http.get(reg.recordUrl(h)).statusCode()).isEqualTo(500);
        assertThat(http.get(reg.recordUrl(h)).statusCode()).isEqualTo(500);
        assertThat(http.get(reg.recordUrl("agent-00002.faulty")).statusCode()).isEqualTo(200);
        assertThat(http.get(reg.cardUrl(h)).statusCode()).isEqualTo(200);
        reg.clearFaults();
        reg.setFault(Fault.status(Target.records(), 401));
        HttpResponse<String> r = http.get(reg.recordUrl("agent-00003.faulty"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(http.get(listing()).statusCode()).isEqualTo(200);
        assertThat(reg.stats().faulted()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void faultsApplyInOrderUntilTheirBudgetIsSpent() {
        reg.setFault(Fault.status(Target.listing(), 500).firstRequests(1));
        reg.setFault(Fault.rateLimited(Target.listing(), 7).firstRequests(1));
        assertThat(http.get(listing()).statusCode()).isEqualTo(500);
        HttpResponse<String> limited = http.get(listing());
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(http.get(listing()).statusCode()).isEqualTo(200);
        assertThat(reg.faults()).hasSize(2);
    }

    @Test
    void hangOutlastsTheClientTimeout() {
        reg.setFault(Fault.hang(Target.record("agent-00014.faulty")).firstRequests(1));
        HttpRequest request = HttpRequest.newBuilder(URI.create(reg.recordUrl("agent-00014.faulty")))
                .timeout(Duration.ofMillis(500)).build();
        assertThatThrownBy(() -> http.client.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        assertThat(http.get(reg.recordUrl("agent-00014.faulty")).statusCode()).isEqualTo(200);
    }

    @Test
    void slowBodySendsHeadersThenTrickles() throws Exception {
        reg.setFault(Fault.slowBody(Target.health(), Duration.ofMillis(50)));
        long start = System.nanoTime();
        HttpResponse<InputStream> r = http.client.send(
                HttpRequest.newBuilder(URI.create(reg.baseUrl() + "/v1/health")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        try (InputStream in = r.body()) {
            byte[] first = in.readNBytes(6);
            assertThat(new String(first)).isEqualTo("{\"ok\":");
        }
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(200);
    }

    @Test
    void malformedJson() {
        reg.setFault(Fault.malformed(Target.listing()));
        HttpResponse<String> r = http.get(listing());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"handles\": [");
        assertThatThrownBy(() -> http.json(r)).isInstanceOf(JacksonException.class);
        reg.setFault(Fault.malformed(Target.cards()));
        assertThatThrownBy(() -> http.json(http.get(reg.cardUrl("agent-00005.faulty"))))
                .isInstanceOf(JacksonException.class);
    }

    @Test
    void oversizeCardIsValidJsonOfTheRequestedSize() throws Exception {
        String h = "agent-00006.faulty";
        reg.setFault(Fault.oversizeCard(h));
        HttpResponse<byte[]> r = http.client.send(HttpRequest.newBuilder(URI.create(reg.cardUrl(h))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.body()).hasSize(600_000);
        assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(600_000);
        JsonNode card = http.json.readTree(r.body());
        assertThat(card.get("name").asString()).isEqualTo(reg.agent(h).orElseThrow().name());
        assertThat(http.get(reg.cardUrl("agent-00007.faulty")).body().length()).isLessThan(10_000);
    }

    @Test
    void cardRedirect() {
        String h = "agent-00008.faulty";
        reg.setFault(Fault.redirect(Target.card(h), "http://169.254.169.254/latest/meta-data/"));
        HttpResponse<String> r = http.get(reg.cardUrl(h));
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValue("http://169.254.169.254/latest/meta-data/");
    }

    @Test
    void missingExpiredAndCardNotFound() {
        reg.setFault(Fault.missingRecord("agent-00010.faulty"));
        reg.setFault(Fault.expiredRecord("agent-00011.faulty"));
        reg.setFault(Fault.cardNotFound("agent-00013.faulty"));
        assertThat(http.json(http.get(listing())).get("handles").toString())
                .contains("agent-00010.faulty", "agent-00011.faulty", "agent-00013.faulty");
        assertThat(http.get(reg.recordUrl("agent-00010.faulty")).statusCode()).isEqualTo(404);
        assertThat(http.get(reg.recordUrl("agent-00011.faulty")).statusCode()).isEqualTo(410);
        assertThat(http.get(reg.recordUrl("agent-00013.faulty")).statusCode()).isEqualTo(200);
        assertThat(http.get(reg.cardUrl("agent-00013.faulty")).statusCode()).isEqualTo(404);
    }

    @Test
    void emptyAndShrunkListings() {
        reg.setFault(Fault.emptyListing().firstRequests(1));
        assertThat(http.get(listing()).body()).isEqualTo("{\"handles\":[]}");
        assertThat(http.json(http.get(listing())).get("handles").size()).isEqualTo(50);

        reg.setFault(Fault.shrinkListing(0.3));
        JsonNode shrunk = http.json(http.get(listing())).get("handles");
        assertThat(shrunk.size()).isEqualTo(35);
        assertThat(http.json(http.get(listing())).get("handles")).isEqualTo(shrunk);
        // Dropped handles are still served: only the listing lies.
        for (String h : reg.handles()) {
            if (!shrunk.toString().contains("\"" + h.replace("\"", "\\\"") + "\"")) {
                assertThat(http.get(reg.baseUrl() + "/v1/records/" + Http.enc(h)).statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void closeInterruptsHangingRequests() throws Exception {
        RegistrySimulator own = RegistrySimulator.start(SimulatorOptions.defaults().withThreads(2));
        SimulatedRegistry r = own.addRegistry("h", 10, 1L);
        r.setFault(Fault.hang(Target.listing(), Duration.ofSeconds(30)));
        HttpClient client = HttpClient.newHttpClient();
        var pending = client.sendAsync(HttpRequest.newBuilder(URI.create(r.baseUrl() + "/v1/records")).build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(200);
        long start = System.nanoTime();
        own.close();
        assertThat((System.nanoTime() - start) / 1_000_000_000).isLessThan(5);
        assertThat(pending).failsWithin(Duration.ofSeconds(5));
    }
}
