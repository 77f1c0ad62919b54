package io.marketplaceindex.bench.read.floor;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A precomputed catalog page returned as bytes, through the same Tomcat, filters and security chain
 * as the catalog (it lives under the public {@code GET /api/marketplace/**}), with no Redis, no SQL and
 * no JSON work: what a cached answer costs at best.
 */
@RestController
public class StaticPageController {

    private final Path file;
    private volatile byte[] page;

    StaticPageController(Path file) {
        this.file = file;
    }

    /** The page is read once, at the first request (the benchmark writes it after the service started). */
    @GetMapping(path = "/api/marketplace/_bench/static-page", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> page() {
        byte[] bytes = page;
        if (bytes == null) {
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            page = bytes;
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(bytes);
    }
}
