package io.marketplaceindex.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ProtocolTest {

    static RegistrySimulator sim;
    static SimulatedRegistry alpha;
    final Http http = new Http();

    @BeforeAll
    static void start() {
        sim = RegistrySimulator.start(SimulatorOptions.defaults());
        alpha = sim.addRegistry("alpha", 300, 1L);
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void baseUrlHasNoTrailingSlash() {
        assertThat(alpha.baseUrl()).isEqualTo("http://127.0.0.1:" + sim.port() + "/registries/alpha");
    }

    @Test
    void health() {
        HttpResponse<String> r = http.get(alpha.baseUrl() + "/v1/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(http.json(r).get("ok").asBoolean()).isTrue();
        assertThat(http.json(r).get("registry").asString()).isEqualTo("alpha");
    }

    @Test
    void listingHasEveryHandle() {
        HttpResponse<String> r = http.get(alpha.baseUrl() + "/v1/records");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        List<String> handles = new ArrayList<>();
        http.json(r).get("handles").forEach(n -> handles.add(n.asString()));
        assertThat(handles).hasSize(300).doesNotHaveDuplicates().contains("agent-00000.alpha", "agent-00299.alpha");
        assertThat(handles).isEqualTo(alpha.handles());
    }

    @Test
    void recordHasTheProtocolFields() {
        String handle = "agent-00042.alpha";
        HttpResponse<String> r = http.get(alpha.recordUrl(handle));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode rec = http.json(r);
        assertThat(rec.get("schema").asString()).isEqualTo("hive-registry-record-v1");
        assertThat(rec.get("handle").asString()).isEqualTo(handle);
        assertThat(Instant.parse(rec.get("updatedAt").asString())).isNotNull();
        assertThat(rec.get("agentCardUrl").asString())
                .isEqualTo("http://127.0.0.1:" + sim.port() + "/registries/alpha/cards/agent-00042.alpha");
        assertThat(rec.get("capabilities").size()).isBetween(1, 3);
        rec.get("capabilities").forEach(t -> assertThat(AgentGenerator.VOCABULARY).contains(t.asString()));
        assertThat(rec.has("version") || rec.has("revision")).isTrue();
        assertThat(rec.has("documentationUrl") || rec.has("docsUrl")).isTrue();
        assertThat(rec.get("publishedAt").asString()).isNotBlank();
        assertThat(rec.get("inputModalities").isArray()).isTrue();
        assertThat(r.headers().firstValue("ETag")).hasValueSatisfying(e -> assertThat(e).matches("W/\"[0-9a-f]+\""));
    }

    @Test
    void somerecordsCarryPricingAndSomeUseAliases() {
        int pricing = 0;
        int aliases = 0;
        for (String h : alpha.handles().subList(0, 100)) {
            JsonNode rec = http.json(http.get(alpha.recordUrl(h)));
            if (rec.has("pricing")) {
                pricing++;
                assertThat(rec.get("pricing").get("currency").asString()).isEqualTo("USD");
                assertThat(rec.get("pricing").get("inputTokensPerMillion").isNumber()).isTrue();
            }
            if (rec.has("revision")) {
                aliases++;
            }
        }
        assertThat(pricing).isBetween(10, 60);
        assertThat(aliases).isBetween(1, 30);
    }

    @Test
    void cardsCarryCacheControlOnlyWhenAsked() {
        String handle = "agent-00007.alpha";
        String url = alpha.cardUrl(handle);
        HttpResponse<String> plain = http.get(url);
        assertThat(plain.headers().firstValue("Cache-Control")).as("not sent by default").isEmpty();
        assertThat(http.get(alpha.recordUrl(handle)).headers().firstValue("Cache-Control")).isEmpty();

        try (RegistrySimulator withMaxAge = RegistrySimulator.start(
                SimulatorOptions.defaults().withCardMaxAge(java.time.Duration.ofSeconds(600)))) {
            SimulatedRegistry beta = withMaxAge.addRegistry("beta", 10, 1L);
            String card = beta.cardUrl(beta.handles().get(0));
            HttpResponse<String> ok = http.get(card);
            assertThat(ok.headers().firstValue("Cache-Control")).hasValue("max-age=600");
            String etag = ok.headers().firstValue("ETag").orElseThrow();
            HttpResponse<String> notModified = http.get(card, "If-None-Match", etag);
            assertThat(notModified.statusCode()).isEqualTo(304);
            assertThat(notModified.headers().firstValue("Cache-Control")).as("a 304 repeats it").hasValue("max-age=600");
            // records never carry it: only cards are cacheable here
            assertThat(http.get(beta.recordUrl(beta.handles().get(0))).headers().firstValue("Cache-Control")).isEmpty();

            beta.setCardMaxAge(java.time.Duration.ZERO);
            assertThat(http.get(card).headers().firstValue("Cache-Control")).hasValue("max-age=0");
            beta.setCardMaxAge(null);
            assertThat(http.get(card).headers().firstValue("Cache-Control")).isEmpty();
        }
    }

    @Test
    void recordEtagAnswers304() {
        String url = alpha.recordUrl("agent-00007.alpha");
        HttpResponse<String> first = http.get(url);
        String etag = first.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> again = http.get(url, "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(http.get(url, "If-None-Match", "W/\"other\", " + etag).statusCode()).isEqualTo(304);
        assertThat(http.get(url, "If-None-Match", "W/\"deadbeef\"").statusCode()).isEqualTo(200);
        assertThat(http.get(url).headers().firstValue("ETag")).hasValue(etag);
    }

    @Test
    void unknownAndMalformedHandles() {
        assertThat(http.get(alpha.baseUrl() + "/v1/records/agent-99999.alpha").statusCode()).isEqualTo(404);
        assertThat(http.get(alpha.baseUrl() + "/v1/records/agent-42.alpha").statusCode()).isEqualTo(404);
        assertThat(http.get(alpha.baseUrl() + "/v1/records/agent-00042.beta").statusCode()).isEqualTo(404);
        assertThat(http.get(alpha.baseUrl() + "/v1/records/%E0%A4").statusCode()).isEqualTo(400);
        assertThat(http.get(alpha.baseUrl() + "/cards/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void cardIsAnA2aAgentCard() {
        String handle = "agent-00042.alpha";
        HttpResponse<String> r = http.get(alpha.cardUrl(handle));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode card = http.json(r);
        SimulatedAgent agent = alpha.agent(handle).orElseThrow();
        assertThat(card.get("name").asString()).isEqualTo(agent.name());
        assertThat(card.get("description").asString()).isEqualTo(agent.description());
        assertThat(card.get("url").asString()).isEqualTo(alpha.baseUrl() + "/a2a/agent-00042.alpha");
        assertThat(card.get("iconUrl").asString()).startsWith(alpha.baseUrl() + "/icons/");
        assertThat(card.get("provider").get("organization").asString()).isEqualTo(agent.author());
        assertThat(card.get("protocolVersion").asString()).isEqualTo("0.3.0");
        assertThat(card.get("skills").size()).isBetween(1, 2);
        for (JsonNode skill : card.get("skills")) {
            assertThat(skill.get("id").asString()).isNotBlank();
            assertThat(skill.get("name").asString()).isNotBlank();
            assertThat(skill.get("tags").size()).isBetween(1, 2);
        }
        assertThat(r.headers().firstValue("ETag")).isPresent();
        assertThat(r.headers().firstValue("Last-Modified")).isPresent();
        assertThat(http.get(card.get("url").asString()).body()).isEqualTo("{}");
        assertThat(http.get(card.get("iconUrl").asString()).headers().firstValue("Content-Type")).hasValue("image/svg+xml");
    }

    @Test
    void agentTagsAreCapabilitiesThenSkillTags() {
        String handle = "agent-00010.alpha";
        JsonNode rec = http.json(http.get(alpha.recordUrl(handle)));
        JsonNode card = http.json(http.get(alpha.cardUrl(handle)));
        java.util.LinkedHashSet<String> expected = new java.util.LinkedHashSet<>();
        rec.get("capabilities").forEach(t -> expected.add(t.asString()));
        card.get("skills").forEach(s -> s.get("tags").forEach(t -> expected.add(t.asString())));
        assertThat(alpha.agent(handle).orElseThrow().tags()).containsExactlyElementsOf(expected);
    }

    @Test
    void cardConditionalRequests() {
        String url = alpha.cardUrl("agent-00011.alpha");
        HttpResponse<String> r = http.get(url);
        String etag = r.headers().firstValue("ETag").orElseThrow();
        String lastModified = r.headers().firstValue("Last-Modified").orElseThrow();
        assertThat(lastModified).matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
        assertThat(http.get(url, "If-None-Match", etag).statusCode()).isEqualTo(304);
        assertThat(http.get(url, "If-Modified-Since", lastModified).statusCode()).isEqualTo(304);
        assertThat(http.get(url, "If-Modified-Since", "Sat, 01 Jan 2000 00:00:00 GMT").statusCode()).isEqualTo(200);
        // If-None-Match wins over If-Modified-Since.
        assertThat(http.get(url, "If-None-Match", "W/\"x\"", "If-Modified-Since", lastModified).statusCode())
                .isEqualTo(200);
    }

    @Test
    void aMovedCardIsAnotherCardAtAnotherUrlAndCardsMayGoWithoutEtags() {
        SimulatedRegistry gamma = sim.addRegistry("gamma", 5, 3L);
        String handle = gamma.handles().get(2);
        String oldCard = gamma.cardUrl(handle);
        String oldRecordEtag = http.get(gamma.recordUrl(handle)).headers().firstValue("ETag").orElseThrow();
        String oldName = http.json(http.get(oldCard)).get("name").asString();
        String lastModified = http.get(oldCard).headers().firstValue("Last-Modified").orElseThrow();

        gamma.setCardEtags(false);
        HttpResponse<String> plain = http.get(oldCard);
        assertThat(plain.headers().firstValue("ETag")).isEmpty();
        assertThat(http.get(oldCard, "If-None-Match", "W/\"anything\"").statusCode()).as("no ETag to match").isEqualTo(200);
        assertThat(http.get(oldCard, "If-Modified-Since", lastModified).statusCode()).isEqualTo(304);

        SimulatedAgent moved = gamma.moveCard(handle);
        assertThat(moved.cardUrl()).isEqualTo(gamma.baseUrl() + "/moved-cards/" + Http.enc(handle));
        assertThat(moved.name()).isEqualTo(oldName + " (moved)");
        HttpResponse<String> record = http.get(gamma.recordUrl(handle), "If-None-Match", oldRecordEtag);
        assertThat(record.statusCode()).as("the record names another card").isEqualTo(200);
        assertThat(http.json(http.get(gamma.recordUrl(handle))).get("agentCardUrl").asString()).isEqualTo(moved.cardUrl());
        assertThat(http.json(http.get(moved.cardUrl())).get("name").asString()).isEqualTo(oldName + " (moved)");
        // modified when the old card was: the old card's date answers 304 here too
        assertThat(http.get(moved.cardUrl(), "If-Modified-Since", lastModified).statusCode()).isEqualTo(304);
        assertThat(http.json(http.get(oldCard)).get("name").asString()).as("still served").isEqualTo(oldName);
        assertThat(http.get(gamma.baseUrl() + "/moved-cards/" + Http.enc(gamma.handles().get(0))).statusCode())
                .isEqualTo(404);
    }

    @Test
    void hostileHandlesRoundTripWhenEncoded() {
        List<String> hostile = alpha.hostileHandles();
        assertThat(hostile).hasSize(6);
        assertThat(hostile).anyMatch(h -> h.contains("/")).anyMatch(h -> h.contains("#"))
                .anyMatch(h -> h.contains(":")).anyMatch(h -> h.contains(" "))
                .anyMatch(h -> h.chars().anyMatch(c -> c > 127)).anyMatch(h -> h.contains("+"));
        assertThat(alpha.handles()).containsAll(hostile);
        for (String h : hostile) {
            HttpResponse<String> rec = http.get(alpha.baseUrl() + "/v1/records/" + Http.enc(h));
            assertThat(rec.statusCode()).as(h).isEqualTo(200);
            JsonNode node = http.json(rec);
            assertThat(node.get("handle").asString()).isEqualTo(h);
            HttpResponse<String> card = http.get(node.get("agentCardUrl").asString());
            assertThat(card.statusCode()).as(h).isEqualTo(200);
            assertThat(http.json(card).get("name").asString()).isEqualTo(alpha.agent(h).orElseThrow().name());
        }
    }

    @Test
    void plusIsNotASpaceAndSlashMustBeEncoded() {
        String spaced = alpha.hostileHandles().stream().filter(h -> h.startsWith("agent with space")).findFirst().orElseThrow();
        assertThat(http.get(alpha.baseUrl() + "/v1/records/" + spaced.replace(" ", "+")).statusCode()).isEqualTo(404);
        assertThat(http.get(alpha.baseUrl() + "/v1/records/" + spaced.replace(" ", "%20")).statusCode()).isEqualTo(200);
        assertThat(http.get(alpha.baseUrl() + "/v1/records/team/agent-slash.alpha").statusCode()).isEqualTo(404);
        assertThat(http.get(alpha.baseUrl() + "/v1/records/team%2fagent-slash.alpha").statusCode()).isEqualTo(200);
    }

    @Test
    void unknownPathsAnswerJson404() {
        for (String path : List.of("/nope", "/registries/unknown/v1/health", "/registries/alpha/v2/records",
                "/registries/alpha/v1/records/", "/registries/alpha")) {
            HttpResponse<String> r = http.get(sim.baseUrl() + path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.headers().firstValue("Content-Type")).as(path).hasValue("application/json");
            assertThat(http.json(r).get("error").asString()).isNotBlank();
        }
    }

    @Test
    void rootIsATextIndexAndRequestsAreCounted() {
        long before = sim.requestCount();
        long registryBefore = alpha.requestCount();
        HttpResponse<String> r = http.get(sim.baseUrl() + "/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("alpha");
        http.get(alpha.baseUrl() + "/v1/health");
        assertThat(sim.requestCount()).isGreaterThanOrEqualTo(before + 2);
        assertThat(alpha.requestCount()).isGreaterThanOrEqualTo(registryBefore + 1);
    }

    @Test
    void authTokenGuardsEveryRequestOfTheRegistry() {
        SimulatedRegistry secured = sim.addRegistry("secured", 10, 5L);
        secured.setAuthToken("t0ken");
        String card = secured.cardUrl(secured.handles().get(0));
        for (String url : List.of(secured.baseUrl() + "/v1/health", secured.baseUrl() + "/v1/records", card)) {
            HttpResponse<String> denied = http.get(url);
            assertThat(denied.statusCode()).as(url).isEqualTo(401);
            assertThat(denied.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(http.get(url, "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
            assertThat(http.get(url, "Authorization", "Bearer t0ken").statusCode()).isEqualTo(200);
        }
        assertThat(secured.stats().unauthorized()).isEqualTo(6);
        secured.setAuthToken(null);
        assertThat(http.get(secured.baseUrl() + "/v1/health").statusCode()).isEqualTo(200);
        // Other registries are unaffected.
        assertThat(http.get(alpha.baseUrl() + "/v1/health").statusCode()).isEqualTo(200);
    }

    @Test
    void latencyIsAddedBeforeResponses() {
        SimulatedRegistry slow = sim.addRegistry("slow", 10, 5L);
        slow.setLatency(java.time.Duration.ofMillis(150));
        long start = System.nanoTime();
        assertThat(http.get(slow.baseUrl() + "/v1/health").statusCode()).isEqualTo(200);
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(140);
    }

    @Test
    void nonGetMethodsAreRefused() {
        HttpResponse<String> r = http.post(alpha.baseUrl() + "/v1/records", "{}");
        assertThat(r.statusCode()).isEqualTo(405);
    }
}
