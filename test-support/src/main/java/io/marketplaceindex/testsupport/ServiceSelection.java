package io.marketplaceindex.testsupport;

import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Decides where the integration tests find each of PostgreSQL, Redis and Kafka; {@link TestServices}
 * asks it, and nothing else decides. For each service, in this order:
 * <ol>
 *   <li>its environment variable, when set (what scripts/test and a CI with services of its own give);</li>
 *   <li>a container started for the test JVM ({@link ServiceContainers}), where a Docker engine answers
 *       and {@value #CONTAINERS} is not {@code false};</li>
 *   <li>the local default address, where scripts/test starts a server when none answers.</li>
 * </ol>
 * Whether Docker answers is asked once, and only when a service has no variable.
 */
public final class ServiceSelection {

    /** Where one service comes from. */
    public enum Source { ENVIRONMENT, CONTAINER, LOCAL_DEFAULT }

    public static final String POSTGRES_URL = "MARKETPLACE_TEST_POSTGRES_URL";
    public static final String REDIS_URL = "SPRING_DATA_REDIS_URL";
    public static final String KAFKA_BOOTSTRAP = "SPRING_KAFKA_BOOTSTRAP_SERVERS";
    /** {@code false} keeps the tests off Docker even where it answers (services of the machine's own). */
    public static final String CONTAINERS = "MARKETPLACE_TEST_CONTAINERS";

    /** Where scripts/test makes sure each service answers. */
    private static final Map<String, String> LOCAL_DEFAULTS = Map.of(
            POSTGRES_URL, "jdbc:postgresql://127.0.0.1:5432/",
            REDIS_URL, "redis://127.0.0.1:6379",
            KAFKA_BOOTSTRAP, "127.0.0.1:9092");

    private final UnaryOperator<String> environment;
    private final BooleanSupplier dockerAnswers;
    private Boolean docker;

    /**
     * @param environment   a variable's value, or null when unset ({@code System::getenv})
     * @param dockerAnswers whether a Docker engine answers; asked at most once
     */
    public ServiceSelection(UnaryOperator<String> environment, BooleanSupplier dockerAnswers) {
        this.environment = environment;
        this.dockerAnswers = dockerAnswers;
    }

    /** The source of the service whose address is in the variable {@code key}. */
    public Source source(String key) {
        if (value(key) != null) {
            return Source.ENVIRONMENT;
        }
        if (!"false".equalsIgnoreCase(value(CONTAINERS)) && docker()) {
            return Source.CONTAINER;
        }
        return Source.LOCAL_DEFAULT;
    }

    /**
     * The address of the service whose variable is {@code key} ({@link #POSTGRES_URL}, {@link #REDIS_URL}
     * or {@link #KAFKA_BOOTSTRAP}), from its {@link #source(String)}.
     *
     * @param container the address of its container, started by this call where it is the source
     */
    public String address(String key, Supplier<String> container) {
        return switch (source(key)) {
            case ENVIRONMENT -> value(key);
            case CONTAINER -> container.get();
            case LOCAL_DEFAULT -> LOCAL_DEFAULTS.get(key);
        };
    }

    /** The variable's value, or null when it is unset or blank. */
    public String value(String key) {
        String value = environment.apply(key);
        return value == null || value.isBlank() ? null : value;
    }

    private synchronized boolean docker() {
        if (docker == null) {
            docker = dockerAnswers.getAsBoolean();
        }
        return docker;
    }
}
