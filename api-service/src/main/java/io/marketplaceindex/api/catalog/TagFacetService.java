package io.marketplaceindex.api.catalog;

import io.marketplaceindex.api.cache.CatalogGeneration;
import io.marketplaceindex.api.cache.ResponseCache;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Tag facets for a catalog search. Counts honour q, registryUrl and verified but not the tags filter: with it,
 * selecting one tag would make every other tag's count zero and the facet could only ever narrow. q matches
 * as a substring (the name and handle sorts' match) or, with match=words, as sort=relevance matches it.
 * Answers are cached by generation like the catalog's, since they change only with the rows.
 */
@Service
class TagFacetService {

    private final CatalogRepository catalog;
    private final TagFacetRepository facets;
    private final CatalogGeneration generation;
    private final ResponseCache cache;
    private final JsonMapper json;

    TagFacetService(CatalogRepository catalog, TagFacetRepository facets, CatalogGeneration generation,
                    ResponseCache cache, JsonMapper json) {
        this.catalog = catalog;
        this.facets = facets;
        this.generation = generation;
        this.cache = cache;
        this.json = json;
    }

    record Answer(byte[] body, String etag, ResponseCache.Status cache) {
    }

    /** @param query the request's filters, tags already removed ({@link CatalogQuery#withoutTags()}) */
    String etag(CatalogQuery query) {
        return etag(generation.current(), query);
    }

    Answer facets(CatalogQuery query) {
        long gen = generation.current();
        ResponseCache.Answer answer = cache.get("tags:g" + gen + ":" + query.filterKey(), status -> {
            Counted counted = count(query);
            List<String> applied = new ArrayList<>();
            if (query.needle() != null) {
                applied.add("q");
            }
            if (query.registryUrl() != null) {
                applied.add("registryUrl");
            }
            if (query.verified()) {
                applied.add("verified");
            }
            byte[] forClient = render(counted, applied, gen, status.label());
            byte[] forCache = status == ResponseCache.Status.MISS
                    ? render(counted, applied, gen, ResponseCache.Status.HIT.label()) : forClient;
            return new ResponseCache.Computed(forClient, forCache);
        });
        return new Answer(answer.body(), etag(gen, query), answer.status());
    }

    private record Counted(List<TagFacets.Count> counts, boolean exact, String source) {
    }

    private Counted count(CatalogQuery query) {
        if (!query.hasFilters()) {
            return new Counted(facets.all(), true, "counters");
        }
        List<UUID> registryIds = query.registryUrl() == null ? List.of() : catalog.registryIdsByUrl(query.registryUrl());
        if (query.registryUrl() != null && registryIds.isEmpty()) {
            return new Counted(List.of(), true, "query");
        }
        // match=words travels as sort=relevance (see TagFacetController.parse)
        Optional<List<TagFacets.Count>> filtered = query.sort() == CatalogQuery.Sort.RELEVANCE
                ? facets.matchingWords(query, registryIds) : facets.filtered(query, registryIds);
        return filtered
                .map(counts -> new Counted(counts, true, "query"))
                .orElseGet(() -> new Counted(facets.all(), false, "counters_fallback"));
    }

    private byte[] render(Counted counted, List<String> applied, long gen, String cacheLabel) {
        TagFacets.Meta meta = new TagFacets.Meta(counted.exact(), counted.source(), applied, false, gen, cacheLabel);
        return json.writeValueAsBytes(new TagFacets(counted.counts(), counted.counts().size(), meta));
    }

    private static String etag(long gen, CatalogQuery query) {
        return "W/\"g" + gen + "-t" + query.filterKey() + "\"";
    }
}
