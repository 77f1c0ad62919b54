package io.marketplaceindex.api.page;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

import java.net.URI;

/**
 * The web page's addresses. The page is one static document that reads its address itself (the
 * catalog's filters from the query string, an agent from the path), so every address it owns is
 * answered with that same document; a reload or a shared link therefore shows the same view.
 * Hidden from the API description: these answer a page, not data.
 */
@Hidden
@Controller
class PageController {

    /**
     * Sends the browser to the catalog. The answer carries a short body too: a client that sees only
     * bodies (an HTTP/0.9 request line has no version, so its answer has no status or Location) still
     * learns where the page is instead of receiving nothing.
     */
    @GetMapping("/")
    ResponseEntity<String> root() {
        return ResponseEntity.status(HttpStatus.FOUND).location(URI.create("/marketplace"))
                .contentType(MediaType.TEXT_PLAIN).body("The marketplace is at /marketplace\n");
    }

    /**
     * The catalog, and one agent: {@code /marketplace/{registryId}/{handle...}} (a handle with slashes
     * keeps them) or {@code /marketplace/agent?registryId=&handle=} for a handle a path cannot carry.
     */
    @GetMapping({"/marketplace", "/marketplace/", "/marketplace/agent", "/marketplace/{registryId}/{*handle}"})
    String page() {
        return "forward:/index.html";
    }
}
