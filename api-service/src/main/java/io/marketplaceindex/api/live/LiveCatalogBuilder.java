package io.marketplaceindex.api.live;

import io.marketplaceindex.agent.AgentIndexFields;
import io.marketplaceindex.agent.AgentNormalizer;
import io.marketplaceindex.agent.Handles;
import io.marketplaceindex.agent.RecordProofs;
import io.marketplaceindex.api.catalog.CatalogSummary;
import io.marketplaceindex.registry.Fetched;
import io.marketplaceindex.registry.Listing;
import io.marketplaceindex.registry.RegistryClient;
import io.marketplaceindex.registry.RegistryEndpoint;
import io.marketplaceindex.registry.RegistryFetchException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live fan-out: lists every enabled registry, fetches its records and cards with the shared
 * hardened {@link RegistryClient} and normalizes them with the worker's {@link AgentNormalizer}, so
 * a live agent is the agent the index would hold.
 *
 * <p>Bounded on every side: {@code maxRegistriesInFlight} registries at a time; HTTP requests run on
 * a pool of exactly {@code maxRequestsInFlight} threads, so no more are ever in flight, and each
 * registry may hold only its share of them so one huge registry cannot starve the rest; every
 * registry has a wall-clock budget after which what is missing is left out; the catalog stops
 * growing at {@code maxAgents}. A registry that fails is reported in its source line, never thrown.
 */
@Component
class LiveCatalogBuilder implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(LiveCatalogBuilder.class);
    /** Beyond the registries' own budgets, for the coordinator's wait: scheduling jitter only. */
    private static final Duration GRACE = Duration.ofSeconds(5);

    private final RegistryClient client;
    private final AgentNormalizer normalizer = new AgentNormalizer();
    private final JsonMapper json;
    private final LiveCatalogProperties properties;
    private final Clock clock;
    private final ThreadPoolExecutor registryPool;
    private final ThreadPoolExecutor requestPool;

    LiveCatalogBuilder(RegistryClient client, JsonMapper json, LiveCatalogProperties properties, Clock clock) {
        this.client = client;
        this.json = json;
        this.properties = properties;
        this.clock = clock;
        this.registryPool = pool("live-registry-", properties.maxRegistriesInFlight());
        this.requestPool = pool("live-fetch-", properties.maxRequestsInFlight());
    }

    /** Threads exist only while the live path is used: most deployments serve the index and never start one. */
    private static ThreadPoolExecutor pool(String prefix, int size) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread t = new Thread(runnable, prefix + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private record RegistryResult(CatalogSummary.Source source, List<LiveAgent> agents) {
    }

    LiveSnapshot build(List<LiveRegistry> registries, String registryDigest) {
        long started = System.nanoTime();
        AtomicInteger room = new AtomicInteger(properties.maxAgents());
        AtomicBoolean truncated = new AtomicBoolean();
        List<Future<RegistryResult>> futures = new ArrayList<>(registries.size());
        for (LiveRegistry registry : registries) {
            futures.add(registryPool.submit(() -> fetchRegistry(registry, room, truncated)));
        }
        // Every registry keeps to its own budget; this bound only guards against a scheduling bug.
        long rounds = (registries.size() + properties.maxRegistriesInFlight() - 1) / properties.maxRegistriesInFlight();
        long deadline = started + properties.registryBudget().multipliedBy(Math.max(1, rounds)).plus(GRACE).toNanos();
        List<CatalogSummary.Source> sources = new ArrayList<>(registries.size());
        List<LiveAgent> agents = new ArrayList<>();
        for (int i = 0; i < registries.size(); i++) {
            LiveRegistry registry = registries.get(i);
            RegistryResult result;
            try {
                result = futures.get(i).get(remaining(deadline), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                futures.get(i).cancel(true);
                result = failed(registry, started, "not fetched within the live catalog's time budget");
            } catch (ExecutionException e) {
                log.error("live fetch of registry {} failed unexpectedly", registry.id(), e.getCause());
                result = failed(registry, started, "internal error");
            } catch (InterruptedException e) {
                futures.forEach(f -> f.cancel(true));
                Thread.currentThread().interrupt();
                throw new IllegalStateException("live catalog build interrupted", e);
            }
            sources.add(result.source());
            agents.addAll(result.agents());
        }
        sources.sort(Comparator.comparing(CatalogSummary.Source::name).thenComparing(CatalogSummary.Source::registryId));
        LiveSnapshot snapshot = new LiveSnapshot(UUID.randomUUID().toString(), clock.instant(), registryDigest,
                registries.size(), sources, truncated.get(), properties.maxAgents(), agents);
        log.info("live catalog built from {} registries in {} ms: {} agents{}", registries.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), agents.size(),
                truncated.get() ? " (truncated at " + properties.maxAgents() + ")" : "");
        return snapshot;
    }

    /** One registry's fetch: its endpoint, its share of the request threads, when it started and must end. */
    private record RegistryRun(LiveRegistry registry, RegistryEndpoint endpoint, Semaphore permits, long started,
                               long deadline) {
    }

    /** The registry's listing, or why there is none (as its source line says it). */
    private record Listed(Listing listing, String failure) {
        static Listed failed(String failure) {
            return new Listed(null, failure);
        }
    }

    /** The record requests started; {@code outOfTime} when the budget ran out before all were. */
    private record Submitted(List<Future<LiveAgent>> pending, boolean outOfTime) {
    }

    /** What arrived in time, and how many records could not be read (with the first reason). */
    private record Collected(List<LiveAgent> agents, boolean outOfTime, int failures, String firstFailure) {
    }

    private RegistryResult fetchRegistry(LiveRegistry registry, AtomicInteger room, AtomicBoolean truncated) {
        long started = System.nanoTime();
        RegistryEndpoint endpoint;
        try {
            endpoint = registry.endpoint();
        } catch (RuntimeException e) {
            // only a row the worker would not have written; say so rather than fail the whole catalog
            log.warn("live catalog: registry {} has an unusable url: {}", registry.id(), e.getMessage());
            return failed(registry, started, "registry url is not usable");
        }
        RegistryRun run = new RegistryRun(registry, endpoint, new Semaphore(properties.requestsPerRegistry()),
                started, started + properties.registryBudget().toNanos());
        Listed listed = list(run);
        if (listed.failure() != null) {
            return failed(registry, started, listed.failure());
        }
        List<String> handles = listed.listing().handles().stream().filter(Handles::isValid).toList();
        int granted = reserve(room, handles.size());
        if (granted < handles.size()) {
            truncated.set(true);
        }
        Collected collected;
        try {
            collected = collect(run, submit(run, handles.subList(0, granted)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(registry, started, "interrupted");
        }
        if (collected.failures() > 0) {
            log.warn("live catalog: {} of {} records of registry {} could not be read (first: {})",
                    collected.failures(), granted, registry.id(), collected.firstFailure());
        }
        List<LiveAgent> agents = collected.agents();
        long fetchMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        String error = collected.outOfTime() ? budgetMessage() + ": " + agents.size() + " of " + handles.size()
                + " agents fetched" : null;
        return new RegistryResult(new CatalogSummary.Source(registry.id(), registry.name(), registry.url(),
                error == null, agents.size(), fetchMs, error), agents);
    }

    private Listed list(RegistryRun run) {
        LiveRegistry registry = run.registry();
        Future<Listing> listingFuture = null;
        try {
            if (!run.permits().tryAcquire(remaining(run.deadline()), TimeUnit.NANOSECONDS)) {
                return Listed.failed(budgetMessage() + " before the listing was requested");
            }
            listingFuture = requestPool.submit(() -> {
                try {
                    return client.listHandles(run.endpoint());
                } finally {
                    run.permits().release();
                }
            });
            return new Listed(listingFuture.get(remaining(run.deadline()), TimeUnit.NANOSECONDS), null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RegistryFetchException fetch) {
                log.warn("live catalog: registry {} could not be listed: {}", registry.id(), fetch.getMessage());
                // meta.sources is public: the detail (hosts, addresses, refused or timed out) stays in the log
                return Listed.failed("registry: " + fetch.publicMessage());
            }
            log.error("live catalog: listing registry {} failed unexpectedly", registry.id(), e.getCause());
            return Listed.failed("internal error");
        } catch (TimeoutException e) {
            listingFuture.cancel(true);
            return Listed.failed(budgetMessage() + " before the listing arrived");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Listed.failed("interrupted");
        }
    }

    /** Starts a record request per handle while the registry has budget left for one to wait for a thread. */
    private Submitted submit(RegistryRun run, List<String> handles) throws InterruptedException {
        List<Future<LiveAgent>> pending = new ArrayList<>(handles.size());
        try {
            for (String handle : handles) {
                if (!run.permits().tryAcquire(remaining(run.deadline()), TimeUnit.NANOSECONDS)) {
                    return new Submitted(pending, true);
                }
                pending.add(requestPool.submit(() -> {
                    try {
                        return fetchAgent(run.registry(), run.endpoint(), handle, run.deadline());
                    } finally {
                        run.permits().release();
                    }
                }));
            }
        } catch (InterruptedException e) {
            pending.forEach(f -> f.cancel(true));
            throw e;
        }
        return new Submitted(pending, false);
    }

    private Collected collect(RegistryRun run, Submitted submitted) throws InterruptedException {
        List<LiveAgent> agents = new ArrayList<>(submitted.pending().size());
        boolean outOfTime = submitted.outOfTime();
        int failures = 0;
        String firstFailure = null;
        try {
            for (Future<LiveAgent> future : submitted.pending()) {
                try {
                    // past the budget, what already arrived is kept and only the rest is given up
                    LiveAgent agent = outOfTime && !future.isDone() ? null
                            : future.get(remaining(run.deadline()), TimeUnit.NANOSECONDS);
                    if (agent != null) {
                        agents.add(agent);
                    } else if (!future.isDone()) {
                        future.cancel(true);
                    }
                } catch (TimeoutException e) {
                    outOfTime = true;
                    future.cancel(true);
                } catch (ExecutionException e) {
                    // one bad record never fails the registry, as in the worker; counted and logged by the caller
                    failures++;
                    if (firstFailure == null) {
                        firstFailure = String.valueOf(e.getCause().getMessage());
                    }
                    if (!(e.getCause() instanceof RegistryFetchException)) {
                        log.error("live catalog: a record of registry {} failed unexpectedly", run.registry().id(),
                                e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            submitted.pending().forEach(f -> f.cancel(true));
            throw e;
        }
        return new Collected(agents, outOfTime, failures, firstFailure);
    }

    /** Record, then card; a card that cannot be read leaves the record-only agent (the compatible rule). */
    private LiveAgent fetchAgent(LiveRegistry registry, RegistryEndpoint endpoint, String handle, long deadline) {
        if (remaining(deadline) == 0) {
            return null; // queued past the budget: its registry has stopped waiting for it
        }
        Fetched record = client.recordFetch(endpoint, handle, null);
        if (!record.isOk()) {
            return null; // 404 / 410: listed but gone since, as the worker treats it
        }
        JsonNode handleNode = record.body().get("handle");
        if (handleNode == null || !handleNode.isString() || !handle.equals(handleNode.stringValue())) {
            throw new RegistryFetchException(RegistryFetchException.Kind.MALFORMED,
                    "record handle does not match the listed handle", null, null, null);
        }
        JsonNode card = null;
        JsonNode cardUrl = record.body().get("agentCardUrl");
        if (cardUrl != null && cardUrl.isString()) {
            try {
                Fetched fetched = client.cardFetch(endpoint, cardUrl.stringValue(), null, null);
                card = fetched.isOk() ? fetched.body() : null;
            } catch (RegistryFetchException e) {
                log.debug("live catalog: card of {} in registry {} not read: {}", handle, registry.id(), e.getMessage());
            }
        }
        // the worker's normalizer, so the live catalog holds agents to the same budgets (AgentBudgets)
        AgentNormalizer.Result agent = normalizer.normalizeOrExplain(record.body(), card, registry.ref());
        if (agent.agent() == null) {
            throw new RegistryFetchException(RegistryFetchException.Kind.MALFORMED, agent.reason(), null, null, null);
        }
        // verified as the worker verifies it, so that the live catalog serves and filters the same proof
        RecordProofs.verify(record.body()).writeTo(agent.agent());
        AgentIndexFields fields = AgentIndexFields.of(agent.agent());
        return new LiveAgent(registry.id(), handle, registry.url(), fields.sortName(), fields.searchText(),
                fields.tags(), json.writeValueAsString(agent.agent()), fields.proofStatus());
    }

    private RegistryResult failed(LiveRegistry registry, long started, String error) {
        return new RegistryResult(new CatalogSummary.Source(registry.id(), registry.name(), registry.url(), false, 0,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), error), List.of());
    }

    private String budgetMessage() {
        return "time budget of " + properties.registryBudget().toMillis() + " ms exceeded";
    }

    /** Takes up to {@code wanted} places of the catalog's remaining room; returns how many it got. */
    private static int reserve(AtomicInteger room, int wanted) {
        while (true) {
            int left = room.get();
            int granted = Math.min(left, wanted);
            if (room.compareAndSet(left, left - granted)) {
                return granted;
            }
        }
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    @Override
    public void destroy() {
        registryPool.shutdownNow();
        requestPool.shutdownNow();
    }
}
