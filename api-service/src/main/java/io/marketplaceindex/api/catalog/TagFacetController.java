package io.marketplaceindex.api.catalog;

import io.marketplaceindex.api.web.ApiException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** GET /api/marketplace/tags?q&tags&registryUrl&verified&match: tag facets with counts. */
@RestController
@RequestMapping("/api/marketplace")
class TagFacetController {

    private final TagFacetService facets;

    TagFacetController(TagFacetService facets) {
        this.facets = facets;
    }

    @GetMapping(path = "/tags", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> tags(@RequestParam(required = false) String q,
                                @RequestParam(required = false) String tags,
                                @RequestParam(required = false) String registryUrl,
                                @RequestParam(required = false) String verified,
                                @RequestParam(required = false) String match,
                                @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        CatalogQuery query = parse(q, tags, registryUrl, verified, match);
        String etag = facets.etag(query);
        if (ifNoneMatch != null && ifNoneMatch.contains(etag)) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
        }
        TagFacetService.Answer answer = facets.facets(query);
        return ResponseEntity.ok()
                .eTag(answer.etag())
                .header("X-Cache", answer.cache().name().toLowerCase())
                .contentType(MediaType.APPLICATION_JSON)
                .body(answer.body());
    }

    /**
     * The filters the counts honour. match=substring (the default) matches q as sort=name|handle do;
     * match=words as sort=relevance does, and the query then carries that sort: it is part of
     * {@link CatalogQuery#filterKey()}, so such counts are cached and validated apart from the substring
     * ones, whose keys stay what they were.
     */
    static CatalogQuery parse(String q, String tags, String registryUrl, String verified, String match) {
        // tags is validated like the catalog's (a client passes the same filters to both) but not applied
        CatalogQuery query = CatalogQuery.parse(null, null, null, q, tags, registryUrl, null, verified).withoutTags();
        if (match == null || !match.trim().equals("words")) {
            // substring (or none), or the catalog's 400 for any other value
            RelevanceTerms.checkMatch(match, query);
            return query;
        }
        if (query.q() == null) {
            throw ApiException.badRequest("match=words counts the agents holding the words of q: pass q, or use"
                    + " match=substring");
        }
        CatalogQuery words = new CatalogQuery(query.limit(), query.offset(), CatalogQuery.Sort.RELEVANCE, query.q(),
                query.needle(), query.tags(), query.registryUrl(), null, query.verified());
        // the same words sort=relevance accepts (at most 8, at least one)
        RelevanceTerms.checkMatch("words", words);
        return words;
    }
}
