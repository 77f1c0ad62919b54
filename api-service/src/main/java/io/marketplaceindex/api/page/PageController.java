package io.marketplaceindex.api.page;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The web page's addresses. The page is one static document that reads its address itself (the
 * catalog's filters from the query string, an agent from the path), so every address it owns is
 * answered with that same document; a reload or a shared link therefore shows the same view.
 * Hidden from the API description: these answer a page, not data.
 */
@Hidden
@Controller
class PageController {

    @GetMapping("/")
    String root() {
        return "redirect:/marketplace";
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
