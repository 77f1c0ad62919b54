package io.marketplaceindex.simulator;

import com.sun.net.httpserver.Headers;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 *
 * <p>This class is the registry's face to tests and the control API; the work is done by its
 * catalog ({@link SimulatedCatalog}), faults ({@link RegistryFaults}), record proofs
 * ({@link RecordProofs}) and HTTP routes ({@link RegistryRoutes}).
 */
public final class SimulatedRegistry {

    private final String name;
    private final long seed;
    private final String baseUrl;
    private final SimulatedCatalog catalog;
    private final RecordProofs proofs;
    private final RegistryFaults faults;
    private final RegistryRoutes routes;

    SimulatedRegistry(String name, int agentCount, long seed, String origin, JsonMapper json, Duration globalLatency) {
        this.name = name;
        this.seed = seed;
        this.baseUrl = origin + "/registries/" + name;
        this.catalog = new SimulatedCatalog(new GeneratedHandles(name, agentCount),
                AgentGenerator.registrySeed(seed, name), baseUrl, json);
        this.proofs = new RecordProofs(seed, name, json);
        RegistryReplies replies = new RegistryReplies(name, json);
        this.faults = new RegistryFaults(replies, catalog::handles);
        this.routes = new RegistryRoutes(catalog, proofs, faults, replies, baseUrl, globalLatency);
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
        return catalog.hostileHandles();
    }

    public String recordUrl(String handle) {
        return baseUrl + "/v1/records/" + HttpSupport.encodeSegment(handle);
    }

    /** The card URL the handle's record names: {@code /cards/...}, or {@code /moved-cards/...} once moved. */
    public String cardUrl(String handle) {
        return catalog.cardUrl(handle);
    }

    // ---- catalog -------------------------------------------------------------------------------

    /** Every listed handle, in listing order: generated agents by index, then additions. */
    public List<String> handles() {
        return catalog.handles();
    }

    public int size() {
        return catalog.size();
    }

    /** The current catalog as an indexer should see it (computed on each call). */
    public List<SimulatedAgent> agents() {
        return catalog.agents();
    }

    public Optional<SimulatedAgent> agent(String handle) {
        return catalog.agent(handle);
    }

    /** Changes the agent's content (description, tags, version, updatedAt) and so its ETags. */
    public SimulatedAgent updateAgent(String handle) {
        catalog.bump(handle, null);
        return agent(handle).orElseThrow();
    }

    /** Like {@link #updateAgent(String)}, and renames the agent. */
    public SimulatedAgent updateAgent(String handle, String newName) {
        catalog.bump(handle, Objects.requireNonNull(newName, "newName"));
        return agent(handle).orElseThrow();
    }

    /** @return false when the handle was not listed */
    public boolean removeAgent(String handle) {
        return catalog.remove(handle);
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
        catalog.add(handle, agentName, extraCapabilities);
        return agent(handle).orElseThrow();
    }

    /**
     * Updates {@code count} distinct listed agents (all of them when count exceeds the catalog).
     * The choice depends only on the seed and how many mutation rounds came before.
     *
     * @return the handles that changed
     */
    public List<String> mutate(int count) {
        return catalog.mutate(count);
    }

    // ---- behaviour -----------------------------------------------------------------------------

    /** Requires {@code Authorization: Bearer <token>} on every request to this registry; null turns it off. */
    public void setAuthToken(String token) {
        routes.authToken = token == null || token.isEmpty() ? null : token;
    }

    /** Waited before each response of this registry, on top of the simulator-wide latency. */
    public void setLatency(Duration latency) {
        Objects.requireNonNull(latency, "latency");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative");
        }
        routes.latency = latency;
    }

    public Duration latency() {
        return routes.latency;
    }

    /**
     * Sends {@code Cache-Control: max-age=<seconds>} with every card answer (200 and 304, as RFC 9110
     * §15.4.5 asks of a 304), so an indexer may skip cards whose record did not change for that long.
     *
     * @param maxAge whole seconds, zero allowed (max-age=0); null sends no Cache-Control (the default)
     */
    public void setCardMaxAge(Duration maxAge) {
        checkCardMaxAge(maxAge);
        routes.cardMaxAge = maxAge;
    }

    /**
     * Whether cards carry an {@code ETag} (the default). Without, a card answers 304 only to
     * {@code If-Modified-Since}, as many static hosts do, which validators reused across URLs would fool.
     */
    public void setCardEtags(boolean enabled) {
        routes.cardEtags = enabled;
    }

    /**
     * Points the handle's record at a card at another URL ({@code /moved-cards/...}): a different card,
     * named "{name} (moved)", modified when the old one was. The record changes (its card URL); the old
     * card stays served where it was.
     *
     * @throws IllegalArgumentException when the handle is not listed
     */
    public SimulatedAgent moveCard(String handle) {
        catalog.moveCard(handle);
        return agent(handle).orElseThrow();
    }

    /** The max-age sent with cards, or null when none is sent. */
    public Duration cardMaxAge() {
        return routes.cardMaxAge;
    }

    static void checkCardMaxAge(Duration maxAge) {
        if (maxAge != null && (maxAge.isNegative() || maxAge.toNanosPart() != 0)) {
            throw new IllegalArgumentException("card max-age must be whole seconds, not negative: " + maxAge);
        }
    }

    // ---- record proofs -------------------------------------------------------------------------

    /**
     * Signs every record with this registry's Ed25519 key (derived from its seed and name), as a
     * registry of the compatible product does; off publishes records without keys or proofs (the default).
     */
    public void signRecords(boolean enabled) {
        proofs.signRecords(enabled);
    }

    public boolean signsRecords() {
        return proofs.signsRecords();
    }

    /** Makes the handle's proof wrong (or absent) in the given way while records are signed; NONE undoes it. */
    public void setProofDefect(String handle, ProofDefect defect) {
        proofs.setDefect(handle, defect);
    }

    /**
     * For demos: every {@code tamperedEvery}-th and {@code unsignedEvery}-th handle (picked by a hash of the
     * handle, so the same ones each time) is served tampered or unsigned while records are signed; 0 for none.
     */
    public void setProofDefectShares(int tamperedEvery, int unsignedEvery) {
        proofs.setDefectShares(tamperedEvery, unsignedEvery);
    }

    /** How the handle's record proof is served: {@link ProofDefect#UNSIGNED} while records are not signed. */
    public ProofDefect proofDefect(String handle) {
        return proofs.defect(handle);
    }

    /** The verdict an indexer should reach on the handle's record: valid, invalid or unsigned. */
    public String expectedProofStatus(String handle) {
        return proofDefect(handle).expectedStatus();
    }

    // ---- faults and counters -------------------------------------------------------------------

    /** Adds a fault after those already set; the first matching one with budget left applies. */
    public void setFault(Fault fault) {
        faults.add(fault);
    }

    public void clearFaults() {
        faults.clear();
    }

    public List<Fault> faults() {
        return faults.list();
    }

    public long requestCount() {
        return routes.requestCount();
    }

    public RegistryStats stats() {
        return routes.stats();
    }

    /** A request to this registry arrived; with {@link #requestAnswered()} it measures concurrent requests. */
    void requestStarted() {
        routes.requestStarted();
    }

    /** Its answer starts, latency over (or it failed before): the client cannot have sent its next one yet. */
    void requestAnswered() {
        routes.requestAnswered();
    }

    /**
     * Answers one request below the base URL.
     *
     * @param rest the raw (still encoded) path segments after {@code /registries/<name>}
     */
    Reply serve(String method, List<String> rest, Headers headers) {
        return routes.serve(method, rest, headers);
    }
}
