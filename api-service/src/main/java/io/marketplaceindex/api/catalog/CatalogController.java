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

@RestController
@RequestMapping("/api/marketplace")
class CatalogController {

    private final CatalogService catalog;

    CatalogController(CatalogService catalog) {
        this.catalog = catalog;
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> catalog(@RequestParam(required = false) String limit,
                                   @RequestParam(required = false) String offset,
                                   @RequestParam(required = false) String sort,
                                   @RequestParam(required = false) String q,
                                   @RequestParam(required = false) String tags,
                                   @RequestParam(required = false) String registryUrl,
                                   @RequestParam(required = false) String cursor,
                                   @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        CatalogQuery query = CatalogQuery.parse(limit, offset, sort, q, tags, registryUrl, cursor);
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
