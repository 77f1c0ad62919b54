package io.marketplaceindex.testsupport;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules by which a property counts as documented. */
class ConfigurationDocsTest {

    @Test
    void aPropertyIsDocumentedByItsEnvironmentVariableOrItsKey() {
        String page = """
                | `MARKETPLACE_SYNC_CHUNK_SIZE` | worker | `1000` | handles per chunk |
                Set marketplace.cache.ttl in a file.
                """;

        assertThat(ConfigurationDocs.undocumented(
                List.of("marketplace.sync.chunk-size", "marketplace.cache.ttl", "marketplace.cache.key-prefix"), page))
                .containsExactly("marketplace.cache.key-prefix");
    }

    @Test
    void aLongerNameDoesNotDocumentItsPrefix() {
        String page = "`MARKETPLACE_CACHE_TTL_MAX` and `marketplace.rebuild.events.max-streams`";

        assertThat(ConfigurationDocs.undocumented(
                List.of("marketplace.cache.ttl", "marketplace.rebuild.events", "marketplace.rebuild.events.max"), page))
                .containsExactly("marketplace.cache.ttl", "marketplace.rebuild.events", "marketplace.rebuild.events.max");
    }

    @Test
    void theEnvironmentFormIsUpperCaseWithUnderscores() {
        assertThat(ConfigurationDocs.environmentVariable("marketplace.rate-limit.login-per-minute"))
                .isEqualTo("MARKETPLACE_RATE_LIMIT_LOGIN_PER_MINUTE");
    }
}
