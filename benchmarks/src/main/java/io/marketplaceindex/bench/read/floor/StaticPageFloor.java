package io.marketplaceindex.bench.read.floor;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

import java.nio.file.Path;

/**
 * The floor of the read benchmark, served by the api-service process under test (see
 * {@link StaticPageController}). scripts/bench-read adds this jar to the api-service with
 * {@code loader.path} and sets {@code marketplace.bench.static-page-file}; without that property
 * nothing here exists.
 */
@AutoConfiguration
@ConditionalOnProperty("marketplace.bench.static-page-file")
public class StaticPageFloor {

    @Bean
    StaticPageController benchStaticPageController(@Value("${marketplace.bench.static-page-file}") String file) {
        return new StaticPageController(Path.of(file));
    }
}
