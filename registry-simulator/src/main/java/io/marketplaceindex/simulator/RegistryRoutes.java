package io.marketplaceindex.simulator;

import com.sun.net.httpserver.Headers;
import io.marketplaceindex.simulator.AgentGenerator.Content;
import io.marketplaceindex.simulator.AgentGenerator.Skill;
import io.marketplaceindex.simulator.Fault.Resource;
import io.marketplaceindex.simulator.SimulatedCatalog.Slot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A registry's HTTP side: its paths (health, listing, records, cards, and the a2a, icon and docs
 * addresses its cards name), the bearer token, conditional answers, latency and the request counters.
 */
final class RegistryRoutes {

    static final String RECORD_SCHEMA = "hive-registry-record-v1";

    private final SimulatedCatalog catalog;
    private final RecordProofs proofs;
    private final RegistryFaults faults;
    private final RegistryReplies replies;
    private final String baseUrl;
    private final Duration globalLatency;

    volatile String authToken;
    volatile Duration latency = Duration.ZERO;
    volatile Duration cardMaxAge;
    volatile boolean cardEtags = true;

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong healthRequests = new AtomicLong();
    private final AtomicLong listingRequests = new AtomicLong();
    private final AtomicLong recordRequests = new AtomicLong();
    private final AtomicLong cardRequests = new AtomicLong();
    private final AtomicLong notModified = new AtomicLong();
    private final AtomicLong unauthorized = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    RegistryRoutes(SimulatedCatalog catalog, RecordProofs proofs, RegistryFaults faults, RegistryReplies replies,
                   String baseUrl, Duration globalLatency) {
        this.catalog = catalog;
        this.proofs = proofs;
        this.faults = faults;
        this.replies = replies;
        this.baseUrl = baseUrl;
        this.globalLatency = globalLatency;
    }

    long requestCount() {
        return requests.get();
    }

    RegistryStats stats() {
        return new RegistryStats(requests.get(), healthRequests.get(), listingRequests.get(),
                recordRequests.get(), cardRequests.get(), notModified.get(), faults.faulted(), unauthorized.get(),
                maxInFlight.get());
    }

    void requestStarted() {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    }

    void requestAnswered() {
        inFlight.decrementAndGet();
    }

    /** @param rest the raw (still encoded) path segments after {@code /registries/<name>} */
    Reply serve(String method, List<String> rest, Headers headers) {
        requests.incrementAndGet();
        Reply reply = route(method, rest, headers);
        Duration wait = globalLatency.plus(latency);
        return wait.isZero() ? reply : reply.heldFor(wait);
    }

    private Reply route(String method, List<String> rest, Headers headers) {
        boolean isA2a = rest.size() == 2 && rest.get(0).equals("a2a");
        if (!method.equals("GET") && !method.equals("HEAD") && !(isA2a && method.equals("POST"))) {
            return replies.error(405, "method not allowed").withHeader("Allow", "GET");
        }
        if (authToken != null && !("Bearer " + authToken).equals(headers.getFirst("Authorization"))) {
            unauthorized.incrementAndGet();
            return replies.error(401, "missing or wrong bearer token")
                    .withHeader("WWW-Authenticate", replies.bearerChallenge());
        }
        if (rest.equals(List.of("v1", "health"))) {
            healthRequests.incrementAndGet();
            return faults.apply(Resource.HEALTH, null, this::healthReply);
        }
        if (rest.equals(List.of("v1", "records"))) {
            listingRequests.incrementAndGet();
            return faults.apply(Resource.LISTING, null, () -> Reply.json(200, catalog.listingBody()));
        }
        if (rest.size() == 3 && rest.get(0).equals("v1") && rest.get(1).equals("records")) {
            recordRequests.incrementAndGet();
            Optional<String> handle = HttpSupport.decode(rest.get(2));
            if (handle.isEmpty()) {
                return replies.error(400, "bad percent-encoding in handle");
            }
            return faults.apply(Resource.RECORD, handle.get(), () -> recordReply(handle.get(), headers));
        }
        if (rest.size() == 2) {
            Optional<String> handle = HttpSupport.decode(rest.get(1));
            if (handle.isEmpty()) {
                return replies.error(400, "bad percent-encoding in handle");
            }
            return handleReply(rest.get(0), handle.get(), headers);
        }
        return replies.error(404, "no such path");
    }

    /** The addresses below {@code /<kind>/<handle>}: cards, and what a card names. */
    private Reply handleReply(String kind, String handle, Headers headers) {
        switch (kind) {
            case "cards" -> {
                cardRequests.incrementAndGet();
                return faults.apply(Resource.CARD, handle, () -> cardReply(handle, false, headers));
            }
            case "moved-cards" -> {
                cardRequests.incrementAndGet();
                return catalog.cardMoved(handle)
                        ? faults.apply(Resource.CARD, handle, () -> cardReply(handle, true, headers))
                        : replies.error(404, "no moved card for this handle");
            }
            case "a2a" -> {
                return catalog.slot(handle).isPresent() ? Reply.json(200, "{}".getBytes(StandardCharsets.UTF_8))
                        : replies.error(404, "unknown handle");
            }
            case "icons" -> {
                return catalog.slot(handle).isPresent() ? iconReply(handle) : replies.error(404, "unknown handle");
            }
            case "docs" -> {
                return catalog.slot(handle).isPresent()
                        ? Reply.text(200, "Documentation of " + handle + "\n")
                        : replies.error(404, "unknown handle");
            }
            default -> {
                return replies.error(404, "no such path");
            }
        }
    }

    private Reply healthReply() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ok", true);
        body.put("registry", replies.registry());
        return Reply.json(200, replies.json(body));
    }

    private Reply recordReply(String handle, Headers headers) {
        Optional<Slot> slot = catalog.slot(handle);
        if (slot.isEmpty()) {
            return replies.error(404, "unknown handle");
        }
        Content c = catalog.content(slot.get());
        Map<String, Object> record = recordJson(handle, c);
        proofs.sign(handle, record);
        byte[] body = replies.json(record);
        String etag = HttpSupport.weakEtag(body);
        Instant lastModified = c.updatedAt().truncatedTo(ChronoUnit.SECONDS);
        if (HttpSupport.ifNoneMatchHits(headers.getFirst("If-None-Match"), etag)) {
            notModified.incrementAndGet();
            return Reply.empty(304, Map.of("ETag", etag, "Last-Modified", HttpSupport.httpDate(lastModified)));
        }
        return Reply.json(200, body)
                .withHeader("ETag", etag)
                .withHeader("Last-Modified", HttpSupport.httpDate(lastModified));
    }

    private Reply cardReply(String handle, boolean moved, Headers headers) {
        Optional<Slot> slot = catalog.slot(handle);
        if (slot.isEmpty()) {
            return replies.error(404, "unknown handle");
        }
        Content c = catalog.content(slot.get());
        byte[] body = replies.json(cardJson(handle, moved ? c.withName(SimulatedCatalog.movedName(c)) : c));
        boolean withEtag = cardEtags;
        String etag = HttpSupport.weakEtag(body);
        Instant lastModified = c.updatedAt().truncatedTo(ChronoUnit.SECONDS);
        String ifNoneMatch = withEtag ? headers.getFirst("If-None-Match") : null;
        // RFC 9110 §13.1.3: If-Modified-Since is ignored when If-None-Match is present.
        boolean fresh = ifNoneMatch != null
                ? HttpSupport.ifNoneMatchHits(ifNoneMatch, etag)
                : HttpSupport.parseHttpDate(headers.getFirst("If-Modified-Since"))
                        .map(since -> !lastModified.isAfter(since))
                        .orElse(false);
        Map<String, String> validators = withEtag
                ? Map.of("ETag", etag, "Last-Modified", HttpSupport.httpDate(lastModified))
                : Map.of("Last-Modified", HttpSupport.httpDate(lastModified));
        if (fresh) {
            notModified.incrementAndGet();
            return withCardFreshness(Reply.empty(304, validators));
        }
        Reply reply = Reply.json(200, body);
        for (Map.Entry<String, String> validator : validators.entrySet()) {
            reply = reply.withHeader(validator.getKey(), validator.getValue());
        }
        return withCardFreshness(reply);
    }

    private Reply withCardFreshness(Reply reply) {
        Duration maxAge = cardMaxAge;
        return maxAge == null ? reply : reply.withHeader("Cache-Control", "max-age=" + maxAge.toSeconds());
    }

    private Reply iconReply(String handle) {
        String letter = catalog.agent(handle).map(a -> a.name().substring(0, 1)).orElse("?")
                .replace("&", "&amp;").replace("<", "&lt;");
        String svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"32\" height=\"32\">"
                + "<rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#4a6fa5\"/>"
                + "<text x=\"16\" y=\"22\" font-size=\"18\" text-anchor=\"middle\" fill=\"#fff\">" + letter
                + "</text></svg>";
        return new Reply(200, Map.of("Content-Type", "image/svg+xml"), svg.getBytes(StandardCharsets.UTF_8),
                Duration.ZERO, Duration.ZERO);
    }

    private Map<String, Object> recordJson(String handle, Content c) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("schema", RECORD_SCHEMA);
        r.put("handle", handle);
        r.put("updatedAt", c.updatedAt().toString());
        r.put("agentCardUrl", catalog.cardUrl(handle));
        r.put("capabilities", c.capabilities());
        r.put(c.aliasFields() ? "revision" : "version", c.version());
        r.put(c.aliasFields() ? "docsUrl" : "documentationUrl", baseUrl + "/docs/" + HttpSupport.encodeSegment(handle));
        r.put("publishedAt", c.publishedAt().toString());
        if (c.pricing() != null) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("currency", c.pricing().currency());
            p.put("label", c.pricing().label());
            p.put("inputTokensPerMillion", c.pricing().inputTokensPerMillion());
            p.put("outputTokensPerMillion", c.pricing().outputTokensPerMillion());
            r.put("pricing", p);
        }
        r.put("inputModalities", c.inputModalities());
        r.put("outputModalities", c.outputModalities());
        r.put("ttlSecondsRecommended", 3600);
        return r;
    }

    private Map<String, Object> cardJson(String handle, Content c) {
        Map<String, Object> card = new LinkedHashMap<>();
        String encoded = HttpSupport.encodeSegment(handle);
        card.put("name", c.name());
        card.put("description", c.description());
        card.put("url", baseUrl + "/a2a/" + encoded);
        card.put("iconUrl", baseUrl + "/icons/" + encoded);
        card.put("provider", Map.of("organization", c.author()));
        card.put("version", c.version());
        card.put("protocolVersion", "0.3.0");
        card.put("capabilities", Map.of("streaming", c.streaming()));
        card.put("defaultInputModes", c.inputModalities());
        card.put("defaultOutputModes", c.outputModalities());
        List<Map<String, Object>> skills = new ArrayList<>();
        for (Skill s : c.skills()) {
            Map<String, Object> skill = new LinkedHashMap<>();
            skill.put("id", s.id());
            skill.put("name", s.name());
            skill.put("description", s.description());
            skill.put("tags", s.tags());
            skills.add(skill);
        }
        card.put("skills", skills);
        return card;
    }
}
