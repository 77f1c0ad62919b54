package io.marketplaceindex.api;

import io.marketplaceindex.testsupport.ConfigurationDocs;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code marketplace.*} property the api-service reads (its own and those of {@code common})
 * has a line in {@code docs/configuration.md}: a new knob fails this test until it is documented.
 */
class ConfigurationDocsTest {

    @Test
    void everyPropertyIsDocumented() {
        Set<String> declared = ConfigurationDocs.declaredProperties(getClass().getClassLoader());

        // the metadata is there: generated from this module's and common's properties classes, and
        // from the additional metadata of keys read with @Value
        assertThat(declared).contains("marketplace.catalog.max-offset", "marketplace.rebuild.events.max-streams",
                "marketplace.registry.connect-timeout", "marketplace.control.pool-size");
        assertThat(ConfigurationDocs.undocumented(declared, ConfigurationDocs.page()))
                .as("properties without a line in " + ConfigurationDocs.PAGE).isEmpty();
    }
}
