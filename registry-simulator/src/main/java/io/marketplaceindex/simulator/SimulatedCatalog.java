package io.marketplaceindex.simulator;

import io.marketplaceindex.simulator.AgentGenerator.Content;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * A registry's catalog: the generated agents plus a few overrides (revisions, renames, removals,
 * additions, moved cards). Nothing else is stored, so a thousand registries of a thousand agents each
 * fit in a small heap.
 */
final class SimulatedCatalog {

    /**
     * A renamed or mutated agent; absent from the map means revision 0 with the generated name.
     *
     * @param extraCapabilities published after the generated capabilities (hostile tags for tests)
     */
    private record Revision(int revision, String name, List<String> extraCapabilities) {
    }

    /** Resolved identity of a listed agent: what the generator needs. */
    record Slot(String handle, long key) {
    }

    private final GeneratedHandles generated;
    private final long contentSeed;
    private final String baseUrl;
    private final JsonMapper json;

    /** Guards structural changes (removals, additions, mutation rounds) and the listing cache. */
    private final Object lock = new Object();
    private final Set<String> removedGenerated = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> addedKeys = new ConcurrentHashMap<>();
    private volatile List<String> addedInOrder = List.of();
    private final Map<String, Revision> revisions = new ConcurrentHashMap<>();
    private volatile byte[] listingCache;
    private int mutationRounds;
    /** Handles whose record names their card at {@code /moved-cards/...}, where a different card lives. */
    private final Set<String> movedCards = ConcurrentHashMap.newKeySet();

    SimulatedCatalog(GeneratedHandles generated, long contentSeed, String baseUrl, JsonMapper json) {
        this.generated = generated;
        this.contentSeed = contentSeed;
        this.baseUrl = baseUrl;
        this.json = json;
    }

    /** The card URL the handle's record names: {@code /cards/...}, or {@code /moved-cards/...} once moved. */
    String cardUrl(String handle) {
        return baseUrl + (movedCards.contains(handle) ? "/moved-cards/" : "/cards/") + HttpSupport.encodeSegment(handle);
    }

    /** The current catalog as an indexer should see it (computed on each call). */
    List<SimulatedAgent> agents() {
        List<String> handles = handles();
        List<SimulatedAgent> out = new ArrayList<>(handles.size());
        for (String h : handles) {
            slot(h).ifPresent(s -> out.add(view(s)));
        }
        return out;
    }

    Optional<SimulatedAgent> agent(String handle) {
        return slot(handle).map(this::view);
    }

    private SimulatedAgent view(Slot slot) {
        Content c = content(slot);
        return new SimulatedAgent(slot.handle(), movedCards.contains(slot.handle()) ? movedName(c) : c.name(),
                c.description(), c.tags(), c.author(),
                cardUrl(slot.handle()), c.version(), c.updatedAt());
    }

    /** The name of the card served at the moved address. */
    static String movedName(Content c) {
        return c.name() + " (moved)";
    }

    List<String> hostileHandles() {
        return generated.hostile().stream().filter(h -> !removedGenerated.contains(h)).toList();
    }

    /** Every listed handle, in listing order: generated agents by index, then additions. */
    List<String> handles() {
        List<String> added = addedInOrder;
        List<String> out = new ArrayList<>(generated.count() + added.size());
        for (int i = 0; i < generated.count(); i++) {
            String h = generated.handle(i);
            if (!removedGenerated.contains(h)) {
                out.add(h);
            }
        }
        out.addAll(added);
        return out;
    }

    int size() {
        return generated.count() - removedGenerated.size() + addedInOrder.size();
    }

    boolean cardMoved(String handle) {
        return movedCards.contains(handle);
    }

    /** The listing as served, kept until the catalog's membership changes. */
    byte[] listingBody() {
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

    Optional<Slot> slot(String handle) {
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
        return generated.index(handle).map(i -> new Slot(handle, i));
    }

    Content content(Slot slot) {
        Revision rev = revisions.get(slot.handle());
        Content c = AgentGenerator.content(contentSeed, slot.key(), rev == null ? 0 : rev.revision());
        if (rev != null && !rev.extraCapabilities().isEmpty()) {
            c = c.withExtraCapabilities(rev.extraCapabilities());
        }
        return rev != null && rev.name() != null ? c.withName(rev.name()) : c;
    }

    // ---- mutations -----------------------------------------------------------------------------

    /** @return false when the handle was not listed */
    boolean remove(String handle) {
        synchronized (lock) {
            boolean removed;
            if (addedKeys.remove(handle) != null) {
                List<String> copy = new ArrayList<>(addedInOrder);
                copy.remove(handle);
                addedInOrder = List.copyOf(copy);
                removed = true;
            } else {
                removed = generated.index(handle).isPresent() && removedGenerated.add(handle);
            }
            if (removed) {
                revisions.remove(handle);
                movedCards.remove(handle);
                listingCache = null;
            }
            return removed;
        }
    }

    /** @throws IllegalArgumentException when the handle is blank or already listed */
    void add(String handle, String agentName, List<String> extraCapabilities) {
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
    }

    /** Updates {@code count} distinct listed agents, chosen by the seed and the rounds before. */
    List<String> mutate(int count) {
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

    /** A new revision of the agent (renamed when {@code newName} is set). */
    void bump(String handle, String newName) {
        Objects.requireNonNull(handle, "handle");
        synchronized (lock) {
            if (slot(handle).isEmpty()) {
                throw new IllegalArgumentException("unknown handle: " + handle);
            }
            revisions.compute(handle, (h, old) -> old == null
                    ? new Revision(1, newName, List.of())
                    : new Revision(old.revision() + 1, newName != null ? newName : old.name(), old.extraCapabilities()));
        }
    }

    /** @throws IllegalArgumentException when the handle is not listed */
    void moveCard(String handle) {
        if (slot(handle).isEmpty()) {
            throw new IllegalArgumentException("not listed: " + handle);
        }
        movedCards.add(handle);
    }
}
