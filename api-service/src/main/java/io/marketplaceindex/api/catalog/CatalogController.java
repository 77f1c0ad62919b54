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

@RestController
@RequestMapping("/api/marketplace")
class CatalogController {

    private final CatalogService catalog;
    private final int maxOffset;

    CatalogController(CatalogService catalog, CatalogProperties properties) {
        this.catalog = catalog;
        this.maxOffset = properties.maxOffset();
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> catalog(@RequestParam(required = false) String limit,
                                   @RequestParam(required = false) String offset,
                                   @RequestParam(required = false) String sort,
                                   @RequestParam(required = false) String q,
                                   @RequestParam(required = false) String tags,
                                   @RequestParam(required = false) String registryUrl,
                                   @RequestParam(required = false) String cursor,
                                   @RequestParam(required = false) String verified,
                                   @RequestParam(required = false) String match,
                                   @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        CatalogQuery query = CatalogQuery.parse(limit, offset, sort, q, tags, registryUrl, cursor, verified, match);
        if (query.cursor() == null && query.offset() > maxOffset) {
            // the database walks an offset entry by entry: past this depth only a cursor stays cheap
            throw ApiException.badRequest("offset is at most " + maxOffset + "; to page deeper, pass meta.nextCursor"
                    + " of the previous page as cursor");
        }
        String etag = catalog.etag(query);
        if (ifNoneMatch != null && ifNoneMatch.contains(etag)) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
        }
        CatalogService.Answer answer = catalog.query(query);
        return ResponseEntity.ok()
                .eTag(answer.etag())
                .header("X-Cache", answer.cache().name().toLowerCase())
                .contentType(MediaType.APPLICATION_JSON)
                .body(answer.body());
    }
}
