package io.marketplaceindex.api.live;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.marketplaceindex.api.cache.ResponseCache;
import io.marketplaceindex.api.catalog.CatalogPage;
import io.marketplaceindex.api.catalog.CatalogProperties;
import io.marketplaceindex.api.catalog.CatalogQuery;
import io.marketplaceindex.api.catalog.CatalogSummary;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The catalog's live source (compatible with the product this replaces): with
 * {@code marketplace.catalog.source=live} every catalog read is answered from the live catalog
 * ({@code meta.catalog: "redis"}); with {@code db} only while the index has no row at all
 * ({@code meta.catalog: "db_fallback"}), e.g. right after the first registries were connected and
 * before the worker indexed them. Same query semantics and answer shape as the index path.
 */
@Component
public class LiveCatalog {

    /** Why the live catalog answers; the label is meta.catalog. */
    public enum Mode {
        LIVE("redis"), DB_FALLBACK("db_fallback");

        private final String label;

        Mode(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public record Answer(byte[] body, String etag, ResponseCache.Status cache) {
    }

    /** The compatible answer, with meta.truncated / meta.maxAgents when the live catalog hit its cap. */
    record LivePage(List<CatalogPage.RawAgent> data, long total, int offset, int limit, Meta meta) {

        @JsonInclude(JsonInclude.Include.NON_NULL)
        record Meta(int registries, Instant builtAt, List<CatalogSummary.Source> sources, String cache, String catalog,
                    List<String> tags, boolean tagsTruncated, boolean totalExact, long generation, String nextCursor, Boolean truncated,
                    Integer maxAgents) {
        }
    }

    private record Emptiness(long generation, boolean empty) {
    }

    private final boolean alwaysLive;
    private final LiveRegistryRepository registries;
    private final LiveCatalogStore store;
    private final JsonMapper json;
    private final int metaTagsMax;
    private final AtomicReference<Emptiness> emptiness = new AtomicReference<>();

    LiveCatalog(CatalogProperties catalog, LiveRegistryRepository registries, LiveCatalogStore store,
                       JsonMapper json) {
        String source = catalog.source() == null ? "" : catalog.source().trim();
        if (!source.equals("db") && !source.equals("live")) {
            throw new IllegalArgumentException("marketplace.catalog.source must be 'db' or 'live', not '" + source + "'");
        }
        this.alwaysLive = source.equals("live");
        this.registries = registries;
        this.store = store;
        this.json = json;
        this.metaTagsMax = catalog.metaTagsMax();
    }

    /** Whether the live catalog answers at this catalog generation, and why. */
    public Optional<Mode> mode(long generation) {
        if (alwaysLive) {
            return Optional.of(Mode.LIVE);
        }
        // The index only changes with the generation (every worker commit advances it): ask once per generation.
        Emptiness known = emptiness.get();
        if (known == null || known.generation() != generation) {
            known = new Emptiness(generation, registries.indexIsEmpty());
            emptiness.set(known);
        }
        return known.empty() ? Optional.of(Mode.DB_FALLBACK) : Optional.empty();
    }

    /** The validator of the live answer to this query, or empty when the index answers. */
    public Optional<String> etag(CatalogQuery query, long generation) {
        return mode(generation).map(m -> etag(store.current(generation).index(), query, m));
    }

    /** The live answer to this query, or empty when the index answers. */
    public Optional<Answer> answer(CatalogQuery query, long generation) {
        Optional<Mode> mode = mode(generation);
        if (mode.isEmpty()) {
            return Optional.empty();
        }
        LiveCatalogStore.Served served = store.current(generation);
        LiveIndex index = served.index();
        LiveSnapshot snapshot = index.snapshot();
        LiveIndex.Page page = index.query(query);
        List<CatalogPage.RawAgent> data = page.agents().stream().map(a -> new CatalogPage.RawAgent(a.json())).toList();
        var meta = new LivePage.Meta(snapshot.registries(), snapshot.builtAt(), snapshot.sources(),
                served.status().label, mode.get().label(), index.mostFrequentTags(metaTagsMax),
                index.tags().size() > metaTagsMax, true, generation, page.nextCursor(),
                snapshot.truncated() ? Boolean.TRUE : null, snapshot.truncated() ? snapshot.maxAgents() : null);
        int offset = query.cursor() == null ? query.offset() : 0;
        byte[] body = json.writeValueAsBytes(new LivePage(data, page.total(), offset, query.limit(), meta));
        return Optional.of(new Answer(body, etag(index, query, mode.get()), headerStatus(served.status())));
    }

    /** Names this build of the live catalog and the query; a new build every ttl means a new ETag. */
    private static String etag(LiveIndex index, CatalogQuery query, Mode mode) {
        return "W/\"live-" + mode.label() + "-" + index.snapshot().id() + "-" + query.cacheKey() + "\"";
    }

    private static ResponseCache.Status headerStatus(LiveCatalogStore.Status status) {
        switch (status) {
            case MISS:
                return ResponseCache.Status.MISS;
            case BYPASS:
                return ResponseCache.Status.BYPASS;
            default:
                return ResponseCache.Status.HIT; // a hit or a previous catalog: nothing was fetched for it
        }
    }
}
