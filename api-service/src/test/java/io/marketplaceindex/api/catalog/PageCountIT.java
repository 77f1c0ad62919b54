package io.marketplaceindex.api.catalog;

import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.cache.CatalogGeneration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A substring page counts its matches in the same statement (one read of the matches, not two),
 * wherever the total would be counted on the request: from any offset, and not from a cursor, which
 * only sees the matches after it.
 */
class PageCountIT extends ApiTestSupport {

    @Autowired
    CatalogRepository rows;

    @Autowired
    CatalogGeneration generation;

    @Test
    void theSubstringPageCarriesItsExactTotal() {
        String marker = "pc" + UUID.randomUUID().toString().substring(0, 6);
        ExactTotalsIT.seedCounted(marker, 37);
        generation.poll();

        CatalogRepository.Page first = rows.page(query("0", null, marker), List.of());
        assertThat(first.rows()).hasSize(10);
        assertThat(first.total()).isEqualTo(new CatalogRepository.Total(37, true));

        CatalogRepository.Page deep = rows.page(query("30", null, marker), List.of());
        assertThat(deep.rows()).hasSize(7);
        assertThat(deep.total()).isEqualTo(new CatalogRepository.Total(37, true));

        CatalogRepository.Page none = rows.page(query("0", null, marker + "-absent"), List.of());
        assertThat(none.rows()).isEmpty();
        assertThat(none.total()).isEqualTo(new CatalogRepository.Total(0, true));

        // past the end the statement sees no match, so it cannot tell the total
        assertThat(rows.page(query("40", null, marker), List.of()).total()).isNull();

        CatalogRepository.PageRow last = first.rows().get(9);
        String cursor = new Cursor(CatalogQuery.Sort.NAME, query("0", null, marker).filterKey(), last.sortName(),
                last.handle(), last.registryId()).encode();
        CatalogRepository.Page afterCursor = rows.page(query(null, cursor, marker), List.of());
        assertThat(afterCursor.rows()).hasSize(10);
        assertThat(afterCursor.total()).as("a cursor page counts only what follows the cursor").isNull();

        // unfiltered pages are counted by the registries' counters, never by the page
        assertThat(rows.page(CatalogQuery.parse("10", null, null, null, null, null, null), List.of()).total()).isNull();
    }

    private static CatalogQuery query(String offset, String cursor, String q) {
        return CatalogQuery.parse("10", offset, "name", q, null, null, cursor);
    }
}
