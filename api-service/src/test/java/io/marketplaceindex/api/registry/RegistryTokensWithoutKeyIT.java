package io.marketplaceindex.api.registry;

import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.testsupport.CatalogSeeder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.test.context.TestPropertySource;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without a token encryption key, a registry token is refused with a 400 that says why (it would
 * otherwise travel and rest in clear); registries without a token are managed as usual.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestPropertySource(properties = "marketplace.test.token-key=")
class RegistryTokensWithoutKeyIT extends ApiTestSupport {

    private RegistrySimulator simulator;
    private SimulatedRegistry open;

    @BeforeAll
    void start() {
        simulator = RegistrySimulator.start(SimulatorOptions.defaults());
        open = simulator.addRegistry("open-no-key", 2, 81L);
    }

    @AfterAll
    void stop() {
        simulator.close();
    }

    @Test
    void tokensAreRefusedWithTheReasonAndEverythingElseWorks() {
        Answer withToken = send("POST", "/api/settings/registries",
                "{\"name\":\"Open\",\"url\":\"" + open.baseUrl() + "\",\"authToken\":\"t-1\"}", admin());
        assertThat(withToken.status()).isEqualTo(400);
        assertThat(withToken.body().get("error").asString()).contains("MARKETPLACE_TOKEN_ENCRYPTION_KEY");

        Answer without = send("POST", "/api/settings/registries",
                "{\"name\":\"Open\",\"url\":\"" + open.baseUrl() + "\"}", admin());
        assertThat(without.status()).isEqualTo(202);

        UUID seeded;
        try (CatalogSeeder seeder = new CatalogSeeder(DATABASE)) {
            seeded = seeder.registry("Seeded", "https://seeded-no-key.example.org");
        }
        Answer editToken = send("PATCH", "/api/settings/registries/" + seeded, "{\"authToken\":\"t-2\"}", admin());
        assertThat(editToken.status()).isEqualTo(400);
        assertThat(editToken.body().get("error").asString()).contains("no token encryption key is configured");
        Answer rename = send("PATCH", "/api/settings/registries/" + seeded, "{\"name\":\"Renamed\"}", admin());
        assertThat(rename.status()).isEqualTo(202);
    }
}
