package io.marketplaceindex.worker;

import io.marketplaceindex.testsupport.ConfigurationDocs;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code marketplace.*} property the worker reads (its own and those of {@code common}) has a
 * line in {@code docs/configuration.md}: a new knob fails this test until it is documented.
 */
class ConfigurationDocsTest {

    @Test
    void everyPropertyIsDocumented() {
        Set<String> declared = ConfigurationDocs.declaredProperties(getClass().getClassLoader());

        // the metadata is there: generated from this module's and common's properties classes, and
        // from the additional metadata of keys read with @Value
        assertThat(declared).contains("marketplace.sync.chunk-size", "marketplace.kafka.command-concurrency",
                "marketplace.token-encryption.key", "marketplace.sync.tombstone-purge-interval");
        assertThat(ConfigurationDocs.undocumented(declared, ConfigurationDocs.page()))
                .as("properties without a line in " + ConfigurationDocs.PAGE).isEmpty();
    }
}
