package io.marketplaceindex.api.web;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The page preloads every one of its modules: a module left out is found only when the one importing it
 * has arrived, a round trip later, and the first render of the catalog waits for it.
 */
class PageModulesTest {

    private static final Path STATIC = Path.of("src/main/resources/static");
    private static final Pattern PRELOAD = Pattern.compile("<link rel=\"modulepreload\" href=\"/assets/([^\"]+)\">");

    @Test
    void everyModuleIsPreloadedAndEveryPreloadExists() throws IOException {
        List<String> modules;
        try (Stream<Path> files = Files.list(STATIC.resolve("assets"))) {
            modules = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".js")).sorted().toList();
        }
        Matcher preloads = PRELOAD.matcher(Files.readString(STATIC.resolve("index.html")));
        List<String> preloaded = preloads.results().map(m -> m.group(1)).sorted().toList();
        assertThat(modules).isNotEmpty();
        assertThat(preloaded).isEqualTo(modules);
    }
}
