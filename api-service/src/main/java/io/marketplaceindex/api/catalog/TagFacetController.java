package io.marketplaceindex.api.catalog;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** GET /api/marketplace/tags?q&tags&registryUrl&verified: tag facets with counts. */
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
                                @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        // tags is validated like the catalog's (a client passes the same filters to both) but not applied
        CatalogQuery query = CatalogQuery.parse(null, null, null, q, tags, registryUrl, null, verified)
                .withoutTags();
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
}
