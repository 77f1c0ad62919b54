package io.marketplaceindex.api.catalog;

import io.marketplaceindex.api.cache.CatalogGeneration;
import io.marketplaceindex.api.cache.ResponseCache;
import io.marketplaceindex.api.live.LiveCatalog;
import org.springframework.stereotype.Service;
import tools.jackson.core.io.SerializedString;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.util.RawValue;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/** Answers catalog queries from the index, through the generation-keyed response cache. */
@Service
public class CatalogService {

    private final CatalogRepository rows;
    private final RelevanceRepository relevance;
    private final CatalogSummaryRepository summaries;
    private final CatalogGeneration generation;
    private final ResponseCache cache;
    private final JsonMapper json;
    private final LiveCatalog live;
    private final ExactTotals exactTotals;
    private final SourcesVersion sourcesVersion;
    private final AtomicReference<Summarized> summary = new AtomicReference<>();

    /**
     * meta's query-independent part with the registries' version it was loaded under, and its two lists
     * rendered as JSON once: every cache miss would otherwise serialize them again, twice.
     */
    private record Summarized(CatalogSummary summary, String sourcesVersion, RawValue sources, RawValue tags) {
    }

    public CatalogService(CatalogRepository rows, RelevanceRepository relevance, CatalogSummaryRepository summaries,
                          CatalogGeneration generation, ResponseCache cache, JsonMapper json, LiveCatalog live,
                          ExactTotals exactTotals, SourcesVersion sourcesVersion) {
        this.rows = rows;
        this.relevance = relevance;
        this.summaries = summaries;
        this.generation = generation;
        this.cache = cache;
        this.json = json;
        this.live = live;
        this.exactTotals = exactTotals;
        this.sourcesVersion = sourcesVersion;
    }

    public record Answer(byte[] body, String etag, ResponseCache.Status cache) {
    }

    /** The validator of an answer: the generation, the registries' version and the query identify it completely. */
    public String etag(CatalogQuery query) {
        long gen = generation.current();
        return live.etag(query, gen).orElseGet(() -> etag(gen, sourcesVersion.current(), query, false));
    }

    /**
     * An estimate gets a validator of its own, which the 304 check ({@link #etag(CatalogQuery)}) never
     * matches: a client that kept it must not be told it is current once the exact total is known.
     */
    private static String etag(long gen, String sources, CatalogQuery query, boolean estimate) {
        return "W/\"g" + gen + "-s" + sources + "-" + query.cacheKey() + (estimate ? "-estimate" : "") + "\"";
    }

    public Answer query(CatalogQuery query) {
        long gen = generation.current();
        // source=live, or an empty index with source=db: the live path answers (see LiveCatalog)
        Optional<LiveCatalog.Answer> fromLive = live.answer(query, gen);
        if (fromLive.isPresent()) {
            return new Answer(fromLive.get().body(), fromLive.get().etag(), fromLive.get().cache());
        }
        String sources = sourcesVersion.current();
        String key = "catalog:g" + gen + ":s" + sources + ":" + query.cacheKey();
        ResponseCache.Answer answer = cache.get(key, status -> {
            Summarized current = summary(gen, sources);
            List<UUID> registryIds = query.registryUrl() == null ? List.of() : rows.registryIdsByUrl(query.registryUrl());
            // no enabled registry has the URL, or no agent any of the tags (asked of the tag counters: a
            // tags filter walks the name order to its end to find nothing): the answer is empty at once
            boolean nothing = query.registryUrl() != null && registryIds.isEmpty() || rows.noAgentHasAnyOf(query.tags());
            RelevanceRepository.Page ranked = nothing || query.sort() != CatalogQuery.Sort.RELEVANCE
                    ? null : relevance.page(query, registryIds);
            CatalogRepository.Page plain = nothing || ranked != null ? null : rows.page(query, registryIds);
            List<CatalogRepository.PageRow> page = nothing ? List.of() : ranked != null ? ranked.rows() : plain.rows();
            Totalled totalled = nothing ? Totalled.finalTotal(new CatalogRepository.Total(0, true))
                    : ranked != null ? Totalled.finalTotal(ranked.total())
                    : plain.total() != null && plain.total().exact() ? Totalled.finalTotal(plain.total())
                    : pageShowsTotal(query, page.size())
                    ? Totalled.finalTotal(new CatalogRepository.Total(query.offset() + page.size(), true))
                    : total(gen, query, registryIds, plain.total());
            CatalogRepository.Total total = totalled.total();
            String nextCursor = null;
            // relevance pages by offset only: its order is a score, no keyset
            if (page.size() == query.limit() && ranked == null) {
                CatalogRepository.PageRow last = page.get(page.size() - 1);
                nextCursor = new Cursor(query.sort(), query.filterKey(), last.sortName(), last.handle(),
                        last.registryId()).encode();
            }
            List<CatalogPage.RawAgent> data = page.stream().map(r -> new CatalogPage.RawAgent(r.agentJson())).toList();
            int offset = query.cursor() == null ? query.offset() : 0;
            byte[] forClient = render(data, total, offset, query, current, status.label(), nextCursor);
            byte[] forCache = status == ResponseCache.Status.MISS
                    ? render(data, total, offset, query, current, ResponseCache.Status.HIT.label(), nextCursor)
                    : forClient;
            // an estimated total is being counted exactly in the background: keep this answer briefly,
            // so that the exact total replaces the estimate once it is known. An estimate that will not
            // be counted (a ranked total past the candidate budget, a count that ran over its budget in
            // this generation) is as final as an exact total.
            return new ResponseCache.Computed(forClient, forCache, totalled.countComing());
        });
        return new Answer(answer.body(), etag(gen, sources, query, answer.provisional()), answer.status());
    }

    /** A page's total, and whether an exact count of it is on its way (the answer is then provisional). */
    private record Totalled(CatalogRepository.Total total, boolean countComing) {
        static Totalled finalTotal(CatalogRepository.Total total) {
            return new Totalled(total, false);
        }
    }

    /** @param estimated the page's estimate of the total, or null to ask the repository */
    private Totalled total(long gen, CatalogQuery query, List<UUID> registryIds, CatalogRepository.Total estimated) {
        ExactTotals.Known known = exactTotals.known(gen, query);
        if (known.total() != null) {
            return Totalled.finalTotal(new CatalogRepository.Total(known.total(), true));
        }
        CatalogRepository.Total total = estimated != null ? estimated : rows.total(query, registryIds);
        boolean countComing = !total.exact() && !known.overBudget();
        if (countComing) {
            exactTotals.computeLater(gen, query, registryIds);
        }
        return new Totalled(total, countComing);
    }

    /**
     * An offset page that is not full ends the result, so it already tells the exact total: no count
     * (which, under q, costs as much as the page again). Not for cursor pages, whose offset is unknown,
     * nor for an empty page past the end, which tells nothing about where the end is.
     */
    private static boolean pageShowsTotal(CatalogQuery query, int pageSize) {
        return query.cursor() == null && pageSize < query.limit() && (pageSize > 0 || query.offset() == 0);
    }

    private byte[] render(List<CatalogPage.RawAgent> data, CatalogRepository.Total total, int offset,
                          CatalogQuery query, Summarized current, String cacheLabel, String nextCursor) {
        CatalogSummary summary = current.summary();
        var meta = new CatalogPage.Meta(summary.registries(), summary.builtAt(), current.sources(), cacheLabel,
                "db", current.tags(), summary.tagsTruncated(), total.exact(), summary.generation(), nextCursor);
        return json.writeValueAsBytes(new CatalogPage(data, total.value(), offset, query.limit(), meta));
    }

    /** meta's query-independent part, rebuilt once per generation and registries' version. */
    private Summarized summary(long gen, String sources) {
        Summarized cached = summary.get();
        if (cached != null && cached.summary().generation() >= gen && cached.sourcesVersion().equals(sources)) {
            return cached;
        }
        CatalogSummary loaded = summaries.load();
        Summarized fresh = new Summarized(loaded, sources, rendered(loaded.sources()), rendered(loaded.tags()));
        summary.accumulateAndGet(fresh,
                (a, b) -> a == null || b.summary().generation() >= a.summary().generation() ? b : a);
        return fresh;
    }

    private RawValue rendered(Object value) {
        return new RawValue(new SerializedString(json.writeValueAsString(value)));
    }
}
