package io.marketplaceindex.simulator;

import com.sun.net.httpserver.Headers;
import io.marketplaceindex.simulator.AgentGenerator.Content;
import io.marketplaceindex.simulator.AgentGenerator.Skill;
import io.marketplaceindex.simulator.Fault.Resource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import tools.jackson.databind.json.JsonMapper;

/**
 * One simulated registry. Its catalog is the generated agents 0..n-1 plus a few overrides
 * (revisions, renames, removals, additions); nothing else is stored, so a thousand registries of a
 * thousand agents each fit in a small heap.
 *
 * <p>Every registry of six or more agents includes six handles that must be percent-encoded in a
 * URL (with '/', '#', ':', ' ', non-ASCII, '+' and '%'); they take the places of six generated
 * {@code agent-NNNNN.<name>} handles, one in the middle of each sixth of the catalog (for 300
 * agents: indexes 25, 75, 125, 175, 225, 275), so the agent count stays as asked. Use
 * {@link #handles()} or {@link #hostileHandles()} rather than guessing handles.
 */
public final class SimulatedRegistry {

    static final String RECORD_SCHEMA = "hive-registry-record-v1";
    private static final List<String> HOSTILE_PATTERNS = List.of(
            "team/agent-slash", "agent#hash", "urn:agent:colon", "agent with space", "agént/ünï 1",
            "agent+plus 100%");

    /**
     * A renamed or mutated agent; absent from the map means revision 0 with the generated name.
     *
     * @param extraCapabilities published after the generated capabilities (hostile tags for tests)
     */
    private record Revision(int revision, String name, List<String> extraCapabilities) {
    }

    private record ActiveFault(Fault fault, AtomicInteger used) {
        boolean tryConsume() {
            int limit = fault.times();
            if (limit == 0) {
                return true;
            }
            int n;
            do {
                n = used.get();
                if (n >= limit) {
                    return false;
                }
            } while (!used.compareAndSet(n, n + 1));
            return true;
        }
    }

    /** Resolved identity of a listed agent: what the generator needs. */
    private record Slot(String handle, long key) {
    }

    private final String name;
    private final int generatedCount;
    private final long seed;
    private final long contentSeed;
    private final String baseUrl;
    private final JsonMapper json;
    private final Duration globalLatency;
    private final Map<Integer, String> hostileByIndex;
    private final Map<String, Integer> hostileIndexByHandle;

    /** Guards structural changes (removals, additions, mutation rounds) and the listing cache. */
    private final Object lock = new Object();
    private final Set<String> removedGenerated = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> addedKeys = new ConcurrentHashMap<>();
    private volatile List<String> addedInOrder = List.of();
    private final Map<String, Revision> revisions = new ConcurrentHashMap<>();
    private volatile byte[] listingCache;
    private int mutationRounds;

    private final List<ActiveFault> faults = new CopyOnWriteArrayList<>();
    private volatile String authToken;
    private volatile Duration latency = Duration.ZERO;
    private volatile Duration cardMaxAge;
    private volatile boolean cardEtags = true;
    /** Handles whose record names their card at {@code /moved-cards/...}, where a different card lives. */
    private final Set<String> movedCards = ConcurrentHashMap.newKeySet();
    /** Signs records when set; null (the default) publishes them without keys or proofs. */
    private volatile RecordSigner signer;
    private final Map<String, ProofDefect> proofDefects = new ConcurrentHashMap<>();
    /** Every n-th handle (by hash) gets this defect; 0: none. */
    private volatile int tamperedEvery;
    private volatile int unsignedEvery;

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong healthRequests = new AtomicLong();
    private final AtomicLong listingRequests = new AtomicLong();
    private final AtomicLong recordRequests = new AtomicLong();
    private final AtomicLong cardRequests = new AtomicLong();
    private final AtomicLong notModified = new AtomicLong();
    private final AtomicLong faulted = new AtomicLong();
    private final AtomicLong unauthorized = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    SimulatedRegistry(String name, int agentCount, long seed, String origin, JsonMapper json, Duration globalLatency) {
        this.name = name;
        this.generatedCount = agentCount;
        this.seed = seed;
        this.contentSeed = AgentGenerator.registrySeed(seed, name);
        this.baseUrl = origin + "/registries/" + name;
        this.json = json;
        this.globalLatency = globalLatency;
        Map<Integer, String> byIndex = new HashMap<>();
        Map<String, Integer> byHandle = new HashMap<>();
        int slots = HOSTILE_PATTERNS.size();
        if (agentCount >= slots) {
            for (int k = 0; k < slots; k++) {
                // One in the middle of each sixth of the catalog, so neither "the first N agents"
                // nor the last ones are all hostile; 2k+1 over 12 keeps them distinct down to 6 agents.
                int index = (int) ((2L * k + 1) * agentCount / (2L * slots));
                String handle = HOSTILE_PATTERNS.get(k) + "." + name;
                byIndex.put(index, handle);
                byHandle.put(handle, index);
            }
        }
        this.hostileByIndex = Map.copyOf(byIndex);
        this.hostileIndexByHandle = Map.copyOf(byHandle);
    }

    // ---- identity ------------------------------------------------------------------------------

    public String name() {
        return name;
    }

    public long seed() {
        return seed;
    }

    /** {@code http://127.0.0.1:<port>/registries/<name>}, without a trailing slash. */
    public String baseUrl() {
        return baseUrl;
    }

    /** The handles of this registry that need percent-encoding (empty below six agents). */
    public List<String> hostileHandles() {
        return hostileByIndex.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(Map.Entry::getValue)
                .filter(h -> !removedGenerated.contains(h))
                .toList();
    }

    public String recordUrl(String handle) {
        return baseUrl + "/v1/records/" + HttpSupport.encodeSegment(handle);
    }

    /** The card URL the handle's record names: {@code /cards/...}, or {@code /moved-cards/...} once moved. */
    public String cardUrl(String handle) {
        return baseUrl + (movedCards.contains(handle) ? "/moved-cards/" : "/cards/") + HttpSupport.encodeSegment(handle);
    }

    // ---- catalog -------------------------------------------------------------------------------

    /** Every listed handle, in listing order: generated agents by index, then additions. */
    public List<String> handles() {
        List<String> added = addedInOrder;
        List<String> out = new ArrayList<>(generatedCount + added.size());
        for (int i = 0; i < generatedCount; i++) {
            String h = generatedHandle(i);
            if (!removedGenerated.contains(h)) {
                out.add(h);
            }
        }
        out.addAll(added);
        return out;
    }

    public int size() {
        return generatedCount - removedGenerated.size() + addedInOrder.size();
    }

    /** The current catalog as an indexer should see it (computed on each call). */
    public List<SimulatedAgent> agents() {
        List<String> handles = handles();
        List<SimulatedAgent> out = new ArrayList<>(handles.size());
        for (String h : handles) {
            slot(h).ifPresent(s -> out.add(view(s)));
        }
        return out;
    }

    public Optional<SimulatedAgent> agent(String handle) {
        return slot(handle).map(this::view);
    }

    /** Changes the agent's content (description, tags, version, updatedAt) and so its ETags. */
    public SimulatedAgent updateAgent(String handle) {
        return bump(handle, null);
    }

    /** Like {@link #updateAgent(String)}, and renames the agent. */
    public SimulatedAgent updateAgent(String handle, String newName) {
        return bump(handle, Objects.requireNonNull(newName, "newName"));
    }

    /** @return false when the handle was not listed */
    public boolean removeAgent(String handle) {
        synchronized (lock) {
            boolean removed;
            if (addedKeys.remove(handle) != null) {
                List<String> copy = new ArrayList<>(addedInOrder);
                copy.remove(handle);
                addedInOrder = List.copyOf(copy);
                removed = true;
            } else {
                removed = generatedIndex(handle).isPresent() && removedGenerated.add(handle);
            }
            if (removed) {
                revisions.remove(handle);
                movedCards.remove(handle);
                listingCache = null;
            }
            return removed;
        }
    }

    /**
     * Lists a new agent at the end of the catalog; its content is generated from the handle.
     *
     * @param agentName the card's name, or null for a generated one
     * @throws IllegalArgumentException when the handle is blank or already listed
     */
    public SimulatedAgent addAgent(String handle, String agentName) {
        return addAgent(handle, agentName, List.of());
    }

    /**
     * Like {@link #addAgent(String, String)}, with capabilities published after the generated ones
     * (kept through later updates), for agents whose tags are hostile.
     */
    public SimulatedAgent addAgent(String handle, String agentName, List<String> extraCapabilities) {
        if (handle == null || handle.isBlank()) {
            throw new IllegalArgumentException("handle must not be blank");
        }
        synchronized (lock) {
            if (slot(handle).isPresent()) {
                throw new IllegalArgumentException("handle already listed: " + handle);
            }
            addedKeys.put(handle, AgentGenerator.keyForAddedHandle(handle));
            List<String> copy = new ArrayList<>(addedInOrder);
            copy.add(handle);
            addedInOrder = List.copyOf(copy);
            if (agentName != null || !extraCapabilities.isEmpty()) {
                revisions.put(handle, new Revision(0, agentName, List.copyOf(extraCapabilities)));
            }
            listingCache = null;
        }
        return agent(handle).orElseThrow();
    }

    /**
     * Updates {@code count} distinct listed agents (all of them when count exceeds the catalog).
     * The choice depends only on the seed and how many mutation rounds came before.
     *
     * @return the handles that changed
     */
    public List<String> mutate(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
        synchronized (lock) {
            List<String> current = handles();
            int n = Math.min(count, current.size());
            SplittableRandom random = new SplittableRandom(AgentGenerator.mix(contentSeed + ++mutationRounds));
            // Partial Fisher-Yates: the first n positions become a uniform sample without repeats.
            for (int i = 0; i < n; i++) {
                int j = i + random.nextInt(current.size() - i);
                String tmp = current.get(i);
                current.set(i, current.get(j));
                current.set(j, tmp);
            }
            List<String> chosen = List.copyOf(current.subList(0, n));
            chosen.forEach(h -> bump(h, null));
            return chosen;
        }
    }

    // ---- behaviour -----------------------------------------------------------------------------

    /** Requires {@code Authorization: Bearer <token>} on every request to this registry; null turns it off. */
    public void setAuthToken(String token) {
        this.authToken = token == null || token.isEmpty() ? null : token;
    }

    /** Waited before each response of this registry, on top of the simulator-wide latency. */
    public void setLatency(Duration latency) {
        Objects.requireNonNull(latency, "latency");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative");
        }
        this.latency = latency;
    }

    public Duration latency() {
        return latency;
    }

    /**
     * Sends {@code Cache-Control: max-age=<seconds>} with every card answer (200 and 304, as RFC 9110
     * §15.4.5 asks of a 304), so an indexer may skip cards whose record did not change for that long.
     *
     * @param maxAge whole seconds, zero allowed (max-age=0); null sends no Cache-Control (the default)
     */
    public void setCardMaxAge(Duration maxAge) {
        checkCardMaxAge(maxAge);
        this.cardMaxAge = maxAge;
    }

    /**
     * Whether cards carry an {@code ETag} (the default). Without, a card answers 304 only to
     * {@code If-Modified-Since}, as many static hosts do, which validators reused across URLs would fool.
     */
    public void setCardEtags(boolean enabled) {
        this.cardEtags = enabled;
    }

    /**
     * Points the handle's record at a card at another URL ({@code /moved-cards/...}): a different card,
     * named "{name} (moved)", modified when the old one was. The record changes (its card URL); the old
     * card stays served where it was.
     *
     * @throws IllegalArgumentException when the handle is not listed
     */
    public SimulatedAgent moveCard(String handle) {
        if (slot(handle).isEmpty()) {
            throw new IllegalArgumentException("not listed: " + handle);
        }
        movedCards.add(handle);
        return agent(handle).orElseThrow();
    }

    /** The max-age sent with cards, or null when none is sent. */
    public Duration cardMaxAge() {
        return cardMaxAge;
    }

    static void checkCardMaxAge(Duration maxAge) {
        if (maxAge != null && (maxAge.isNegative() || maxAge.toNanosPart() != 0)) {
            throw new IllegalArgumentException("card max-age must be whole seconds, not negative: " + maxAge);
        }
    }

    /**
     * Signs every record with this registry's Ed25519 key (derived from its seed and name), as a
     * registry of the compatible product does; off publishes records without keys or proofs (the default).
     */
    public void signRecords(boolean enabled) {
        this.signer = enabled ? new RecordSigner(seed, name, json) : null;
    }

    public boolean signsRecords() {
        return signer != null;
    }

    /** Makes the handle's proof wrong (or absent) in the given way while records are signed; NONE undoes it. */
    public void setProofDefect(String handle, ProofDefect defect) {
        if (defect == ProofDefect.NONE) {
            proofDefects.remove(handle);
        } else {
            proofDefects.put(Objects.requireNonNull(handle, "handle"), defect);
        }
    }

    /**
     * For demos: every {@code tamperedEvery}-th and {@code unsignedEvery}-th handle (picked by a hash of the
     * handle, so the same ones each time) is served tampered or unsigned while records are signed; 0 for none.
     */
    public void setProofDefectShares(int tamperedEvery, int unsignedEvery) {
        if (tamperedEvery < 0 || unsignedEvery < 0) {
            throw new IllegalArgumentException("tamperedEvery and unsignedEvery must be 0 or more");
        }
        this.tamperedEvery = tamperedEvery;
        this.unsignedEvery = unsignedEvery;
    }

    /** How the handle's record proof is served: {@link ProofDefect#UNSIGNED} while records are not signed. */
    public ProofDefect proofDefect(String handle) {
        if (signer == null) {
            return ProofDefect.UNSIGNED;
        }
        ProofDefect chosen = proofDefects.get(handle);
        if (chosen != null) {
            return chosen;
        }
        long h = Math.floorMod(AgentGenerator.hash(handle), Long.MAX_VALUE);
        if (tamperedEvery > 0 && h % tamperedEvery == 0) {
            return ProofDefect.TAMPERED;
        }
        if (unsignedEvery > 0 && (h / 7) % unsignedEvery == 0) {
            return ProofDefect.UNSIGNED;
        }
        return ProofDefect.NONE;
    }

    /** The verdict an indexer should reach on the handle's record: valid, invalid or unsigned. */
    public String expectedProofStatus(String handle) {
        return proofDefect(handle).expectedStatus();
    }

    /** Adds a fault after those already set; the first matching one with budget left applies. */
    public void setFault(Fault fault) {
        faults.add(new ActiveFault(Objects.requireNonNull(fault, "fault"), new AtomicInteger()));
    }

    public void clearFaults() {
        faults.clear();
    }

    public List<Fault> faults() {
        return faults.stream().map(ActiveFault::fault).toList();
    }

    public long requestCount() {
        return requests.get();
    }

    public RegistryStats stats() {
        return new RegistryStats(requests.get(), healthRequests.get(), listingRequests.get(),
                recordRequests.get(), cardRequests.get(), notModified.get(), faulted.get(), unauthorized.get(),
                maxInFlight.get());
    }

    /** A request to this registry arrived; with {@link #requestAnswered()} it measures concurrent requests. */
    void requestStarted() {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    }

    /** Its answer starts, latency over (or it failed before): the client cannot have sent its next one yet. */
    void requestAnswered() {
        inFlight.decrementAndGet();
    }

    // ---- HTTP ----------------------------------------------------------------------------------

    /**
     * Answers one request below the base URL.
     *
     * @param rest the raw (still encoded) path segments after {@code /registries/<name>}
     */
    Reply serve(String method, List<String> rest, Headers headers) {
        requests.incrementAndGet();
        Reply reply = route(method, rest, headers);
        Duration wait = globalLatency.plus(latency);
        return wait.isZero() ? reply : reply.heldFor(wait);
    }

    private Reply route(String method, List<String> rest, Headers headers) {
        boolean isA2a = rest.size() == 2 && rest.get(0).equals("a2a");
        if (!method.equals("GET") && !method.equals("HEAD") && !(isA2a && method.equals("POST"))) {
            return error(405, "method not allowed").withHeader("Allow", "GET");
        }
        if (authToken != null && !("Bearer " + authToken).equals(headers.getFirst("Authorization"))) {
            unauthorized.incrementAndGet();
            return error(401, "missing or wrong bearer token")
                    .withHeader("WWW-Authenticate", "Bearer realm=\"" + name + "\"");
        }
        if (rest.equals(List.of("v1", "health"))) {
            healthRequests.incrementAndGet();
            return withFaults(Resource.HEALTH, null, this::healthReply);
        }
        if (rest.equals(List.of("v1", "records"))) {
            listingRequests.incrementAndGet();
            return withFaults(Resource.LISTING, null, () -> Reply.json(200, listingBody()));
        }
        if (rest.size() == 3 && rest.get(0).equals("v1") && rest.get(1).equals("records")) {
            recordRequests.incrementAndGet();
            Optional<String> handle = HttpSupport.decode(rest.get(2));
            if (handle.isEmpty()) {
                return error(400, "bad percent-encoding in handle");
            }
            return withFaults(Resource.RECORD, handle.get(), () -> recordReply(handle.get(), headers));
        }
        if (rest.size() == 2) {
            Optional<String> handle = HttpSupport.decode(rest.get(1));
            if (handle.isEmpty()) {
                return error(400, "bad percent-encoding in handle");
            }
            switch (rest.get(0)) {
                case "cards" -> {
                    cardRequests.incrementAndGet();
                    return withFaults(Resource.CARD, handle.get(), () -> cardReply(handle.get(), false, headers));
                }
                case "moved-cards" -> {
                    cardRequests.incrementAndGet();
                    return movedCards.contains(handle.get())
                            ? withFaults(Resource.CARD, handle.get(), () -> cardReply(handle.get(), true, headers))
                            : error(404, "no moved card for this handle");
                }
                case "a2a" -> {
                    return slot(handle.get()).isPresent() ? Reply.json(200, "{}".getBytes(StandardCharsets.UTF_8))
                            : error(404, "unknown handle");
                }
                case "icons" -> {
                    return slot(handle.get()).isPresent() ? iconReply(handle.get()) : error(404, "unknown handle");
                }
                case "docs" -> {
                    return slot(handle.get()).isPresent()
                            ? Reply.text(200, "Documentation of " + handle.get() + "\n")
                            : error(404, "unknown handle");
                }
                default -> {
                    return error(404, "no such path");
                }
            }
        }
        return error(404, "no such path");
    }

    private Reply healthReply() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ok", true);
        body.put("registry", name);
        return Reply.json(200, json.writeValueAsBytes(body));
    }

    private byte[] listingBody() {
        byte[] cached = listingCache;
        if (cached != null) {
            return cached;
        }
        synchronized (lock) {
            if (listingCache == null) {
                listingCache = json.writeValueAsBytes(Map.of("handles", handles()));
            }
            return listingCache;
        }
    }

    private Reply recordReply(String handle, Headers headers) {
        Optional<Slot> slot = slot(handle);
        if (slot.isEmpty()) {
            return error(404, "unknown handle");
        }
        Content c = content(slot.get());
        Map<String, Object> record = recordJson(handle, c);
        RecordSigner recordSigner = signer;
        if (recordSigner != null) {
            recordSigner.sign(record, proofDefect(handle));
        }
        byte[] body = json.writeValueAsBytes(record);
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
        Optional<Slot> slot = slot(handle);
        if (slot.isEmpty()) {
            return error(404, "unknown handle");
        }
        Content c = content(slot.get());
        byte[] body = json.writeValueAsBytes(cardJson(handle, moved ? c.withName(movedName(c)) : c));
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

    private static String movedName(Content c) {
        return c.name() + " (moved)";
    }

    private Reply withCardFreshness(Reply reply) {
        Duration maxAge = cardMaxAge;
        return maxAge == null ? reply : reply.withHeader("Cache-Control", "max-age=" + maxAge.toSeconds());
    }

    private Reply iconReply(String handle) {
        String letter = agent(handle).map(a -> a.name().substring(0, 1)).orElse("?")
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
        r.put("agentCardUrl", cardUrl(handle));
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

    // ---- faults --------------------------------------------------------------------------------

    private Reply withFaults(Resource resource, String handle, Supplier<Reply> normal) {
        for (ActiveFault active : faults) {
            if (active.fault().target().matches(resource, handle) && active.tryConsume()) {
                faulted.incrementAndGet();
                return applyFault(active.fault(), normal);
            }
        }
        return normal.get();
    }

    private Reply applyFault(Fault fault, Supplier<Reply> normal) {
        if (fault instanceof Fault.Status f) {
            Reply reply = error(f.status(), "simulated fault");
            return f.status() == 401 ? reply.withHeader("WWW-Authenticate", "Bearer realm=\"" + name + "\"") : reply;
        } else if (fault instanceof Fault.RateLimited f) {
            return error(429, "rate limited").withHeader("Retry-After", Integer.toString(f.retryAfterSeconds()));
        } else if (fault instanceof Fault.Hang f) {
            return normal.get().heldFor(f.duration());
        } else if (fault instanceof Fault.SlowBody f) {
            return normal.get().trickled(f.perByte());
        } else if (fault instanceof Fault.Malformed f) {
            return Reply.json(200, f.body().getBytes(StandardCharsets.UTF_8));
        } else if (fault instanceof Fault.Oversize f) {
            return padded(normal.get(), f.bytes());
        } else if (fault instanceof Fault.Redirect f) {
            return Reply.empty(f.status(), Map.of("Location", f.location()));
        } else if (fault instanceof Fault.ShrinkListing f) {
            return Reply.json(200, json.writeValueAsBytes(Map.of("handles", shrunk(handles(), f.dropFraction()))));
        }
        throw new IllegalStateException("unknown fault " + fault);
    }

    /** Keeps floor(n * (1 - drop)) handles at evenly spaced positions, the same ones every time. */
    static List<String> shrunk(List<String> handles, double dropFraction) {
        double keep = 1.0 - dropFraction;
        List<String> kept = new ArrayList<>();
        for (int p = 0; p < handles.size(); p++) {
            if (Math.floor((p + 1) * keep) > Math.floor(p * keep)) {
                kept.add(handles.get(p));
            }
        }
        return kept;
    }

    /** Grows a JSON object to exactly {@code size} bytes with a padding member; stays valid JSON. */
    private static Reply padded(Reply reply, int size) {
        byte[] body = reply.body();
        if (reply.status() != 200 || body.length == 0 || body[body.length - 1] != '}') {
            return reply;
        }
        byte[] member = ",\"x-padding\":\"".getBytes(StandardCharsets.US_ASCII);
        int padding = size - body.length - member.length - 1;
        if (padding < 0) {
            return reply;
        }
        byte[] out = new byte[size];
        System.arraycopy(body, 0, out, 0, body.length - 1);
        int pos = body.length - 1;
        System.arraycopy(member, 0, out, pos, member.length);
        pos += member.length;
        java.util.Arrays.fill(out, pos, pos + padding, (byte) 'x');
        pos += padding;
        out[pos++] = '"';
        out[pos] = '}';
        return new Reply(200, Map.of("Content-Type", Reply.JSON, "ETag", HttpSupport.weakEtag(out)), out,
                reply.holdBefore(), reply.perByte());
    }

    private Reply error(int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("status", status);
        body.put("registry", name);
        return Reply.json(status, json.writeValueAsBytes(body));
    }

    // ---- generation ----------------------------------------------------------------------------

    private SimulatedAgent bump(String handle, String newName) {
        Objects.requireNonNull(handle, "handle");
        synchronized (lock) {
            if (slot(handle).isEmpty()) {
                throw new IllegalArgumentException("unknown handle: " + handle);
            }
            revisions.compute(handle, (h, old) -> old == null
                    ? new Revision(1, newName, List.of())
                    : new Revision(old.revision() + 1, newName != null ? newName : old.name(), old.extraCapabilities()));
        }
        return agent(handle).orElseThrow();
    }

    private Optional<Slot> slot(String handle) {
        if (handle == null) {
            return Optional.empty();
        }
        Long addedKey = addedKeys.get(handle);
        if (addedKey != null) {
            return Optional.of(new Slot(handle, addedKey));
        }
        if (removedGenerated.contains(handle)) {
            return Optional.empty();
        }
        return generatedIndex(handle).map(i -> new Slot(handle, i));
    }

    private Content content(Slot slot) {
        Revision rev = revisions.get(slot.handle());
        Content c = AgentGenerator.content(contentSeed, slot.key(), rev == null ? 0 : rev.revision());
        if (rev != null && !rev.extraCapabilities().isEmpty()) {
            c = c.withExtraCapabilities(rev.extraCapabilities());
        }
        return rev != null && rev.name() != null ? c.withName(rev.name()) : c;
    }

    private SimulatedAgent view(Slot slot) {
        Content c = content(slot);
        return new SimulatedAgent(slot.handle(), movedCards.contains(slot.handle()) ? movedName(c) : c.name(),
                c.description(), c.tags(), c.author(),
                cardUrl(slot.handle()), c.version(), c.updatedAt());
    }

    private String generatedHandle(int index) {
        String hostile = hostileByIndex.get(index);
        if (hostile != null) {
            return hostile;
        }
        String digits = Integer.toString(index);
        StringBuilder sb = new StringBuilder(12 + name.length()).append("agent-");
        for (int i = digits.length(); i < 5; i++) {
            sb.append('0');
        }
        return sb.append(digits).append('.').append(name).toString();
    }

    /** The generated index behind a handle, accepting only the exact spelling the listing uses. */
    private Optional<Integer> generatedIndex(String handle) {
        Integer hostile = hostileIndexByHandle.get(handle);
        if (hostile != null) {
            return Optional.of(hostile);
        }
        String suffix = "." + name;
        if (!handle.startsWith("agent-") || !handle.endsWith(suffix)) {
            return Optional.empty();
        }
        String digits = handle.substring(6, handle.length() - suffix.length());
        if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            return Optional.empty();
        }
        int index = Integer.parseInt(digits);
        if (index >= generatedCount || hostileByIndex.containsKey(index) || !generatedHandle(index).equals(handle)) {
            return Optional.empty();
        }
        return Optional.of(index);
    }
}
