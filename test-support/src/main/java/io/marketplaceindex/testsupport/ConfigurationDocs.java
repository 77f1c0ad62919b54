package io.marketplaceindex.testsupport;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code marketplace.*} properties a service reads, against the page that documents them
 * ({@code docs/configuration.md}). The properties come from Spring Boot's configuration metadata,
 * which the configuration processor writes at compile time for every {@code @ConfigurationProperties}
 * class (merged with each module's {@code additional-spring-configuration-metadata.json} for keys
 * read with {@code @Value}); a service's class path holds its own and that of {@code common}. A
 * property counts as documented when the page names it as its environment variable
 * ({@code MARKETPLACE_SYNC_CHUNK_SIZE}) or as its key ({@code marketplace.sync.chunk-size}), whole.
 */
public final class ConfigurationDocs {

    public static final String PAGE = "docs/configuration.md";
    private static final String METADATA = "META-INF/spring-configuration-metadata.json";
    private static final String PREFIX = "marketplace.";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ConfigurationDocs() {
    }

    /** Every {@code marketplace.*} property in the configuration metadata this class loader sees. */
    public static SortedSet<String> declaredProperties(ClassLoader loader) {
        SortedSet<String> names = new TreeSet<>();
        try {
            for (URL url : Collections.list(loader.getResources(METADATA))) {
                try (InputStream in = url.openStream()) {
                    for (JsonNode property : JSON.readTree(in).path("properties")) {
                        String name = property.path("name").asString("");
                        if (name.startsWith(PREFIX)) {
                            names.add(name);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /** The documentation page, found from the working directory (a module's, in a build) upwards. */
    public static String page() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path page = dir.resolve(PAGE);
            if (Files.isRegularFile(page)) {
                try {
                    return Files.readString(page);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException(PAGE + " not found from " + Path.of("").toAbsolutePath());
    }

    /** The properties the page names neither as their environment variable nor as their key. */
    public static SortedSet<String> undocumented(Collection<String> properties, String page) {
        SortedSet<String> missing = new TreeSet<>();
        for (String property : properties) {
            if (!names(page, environmentVariable(property)) && !names(page, property)) {
                missing.add(property);
            }
        }
        return missing;
    }

    /**
     * The environment form of a property the page uses: upper case, dots and dashes as underscores
     * (Spring Boot binds it as well as the form without dashes).
     */
    public static String environmentVariable(String property) {
        return property.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** Whether the text holds the name whole, not as the start or the end of a longer one. */
    private static boolean names(String text, String name) {
        return Pattern.compile("(?<![\\w.-])" + Pattern.quote(name) + "(?![\\w-]|\\.\\w)").matcher(text).find();
    }
}
