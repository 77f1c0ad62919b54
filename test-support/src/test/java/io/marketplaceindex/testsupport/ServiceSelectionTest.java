package io.marketplaceindex.testsupport;

import io.marketplaceindex.testsupport.ServiceSelection.Source;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.marketplaceindex.testsupport.ServiceSelection.KAFKA_BOOTSTRAP;
import static io.marketplaceindex.testsupport.ServiceSelection.POSTGRES_URL;
import static io.marketplaceindex.testsupport.ServiceSelection.REDIS_URL;
import static org.assertj.core.api.Assertions.assertThat;

/** The choice between the environment, a container and the local default, without a Docker engine. */
class ServiceSelectionTest {

    private final Map<String, String> environment = new HashMap<>();
    private final AtomicInteger dockerAsked = new AtomicInteger();

    private ServiceSelection selection(boolean dockerAnswers) {
        return new ServiceSelection(environment::get, () -> {
            dockerAsked.incrementAndGet();
            return dockerAnswers;
        });
    }

    @Test
    void anAddressInTheEnvironmentWinsAndDockerIsNotAsked() {
        environment.put(POSTGRES_URL, "jdbc:postgresql://db.example:6543/");
        ServiceSelection selection = selection(true);

        assertThat(selection.source(POSTGRES_URL)).isEqualTo(Source.ENVIRONMENT);
        assertThat(selection.address(POSTGRES_URL, () -> "from a container")).isEqualTo("jdbc:postgresql://db.example:6543/");
        assertThat(dockerAsked).hasValue(0);
    }

    @Test
    void whereDockerAnswersAServiceWithoutAnAddressRunsInAContainer() {
        environment.put(KAFKA_BOOTSTRAP, "broker.example:9092");
        ServiceSelection selection = selection(true);

        assertThat(selection.address(REDIS_URL, () -> "redis://localhost:32768")).isEqualTo("redis://localhost:32768");
        assertThat(selection.source(POSTGRES_URL)).isEqualTo(Source.CONTAINER);
        assertThat(selection.address(KAFKA_BOOTSTRAP, () -> "from a container")).isEqualTo("broker.example:9092");
        assertThat(dockerAsked).as("asked once for the JVM").hasValue(1);
    }

    @Test
    void withoutDockerOrAnAddressTheLocalDefaultsAreUsed() {
        ServiceSelection selection = selection(false);

        assertThat(selection.address(POSTGRES_URL, ServiceSelectionTest::noContainer)).isEqualTo("jdbc:postgresql://127.0.0.1:5432/");
        assertThat(selection.address(REDIS_URL, ServiceSelectionTest::noContainer)).isEqualTo("redis://127.0.0.1:6379");
        assertThat(selection.address(KAFKA_BOOTSTRAP, ServiceSelectionTest::noContainer)).isEqualTo("127.0.0.1:9092");
    }

    @Test
    void containersCanBeTurnedOffWhereDockerAnswers() {
        environment.put(ServiceSelection.CONTAINERS, "false");
        assertThat(selection(true).source(REDIS_URL)).isEqualTo(Source.LOCAL_DEFAULT);
    }

    @Test
    void aBlankVariableCountsAsUnset() {
        environment.put(REDIS_URL, " ");
        assertThat(selection(false).address(REDIS_URL, ServiceSelectionTest::noContainer)).isEqualTo("redis://127.0.0.1:6379");
    }

    private static String noContainer() {
        throw new AssertionError("no container may start without Docker");
    }
}
