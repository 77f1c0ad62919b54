package io.marketplaceindex.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A single-node Kafka broker of a test's own: the project's broker script ({@code scripts/kafka/broker})
 * with its state in a directory of the test, on free ports, so that it can be stopped (SIGTERM, a
 * controlled shutdown; SIGKILL after 20 s) and started again on the same port with its data, which the
 * shared broker must never be.
 */
final class KafkaBroker extends ScriptedServer {

    /** Resolving the broker's class path with Maven, or a start on a busy two-core machine, takes minutes. */
    private static final Duration TIMEOUT = Duration.ofSeconds(240);

    private final Path stateDir;
    private final Map<String, String> env;
    private final Path log;

    KafkaBroker(Path stateDir, int port, int controllerPort) {
        super(port);
        this.stateDir = stateDir;
        this.env = Map.of("KAFKA_PORT", String.valueOf(port), "KAFKA_CONTROLLER_PORT", String.valueOf(controllerPort),
                "KAFKA_STATE_DIR", stateDir.toString(), "KAFKA_HEAP_OPTS", "-Xms128m -Xmx384m",
                // a busy two-core machine has been seen to take a minute
                "KAFKA_START_TIMEOUT", "180");
        this.log = StoppableServers.controlLog(stateDir);
    }

    @Override
    void startFresh() {
        broker("reset");
        copyClassPath();
        broker("start");
    }

    @Override
    void resume() {
        broker("start");
    }

    @Override
    void halt() {
        broker("stop");
    }

    @Override
    void discard() {
        broker("reset");
    }

    /**
     * The broker's class path is resolved with Maven once per checkout (again when the script's pom
     * changes) and shared by every test broker.
     */
    private void copyClassPath() {
        Path shared = ProjectScripts.root().resolve("target/test-kafka/resolve");
        ProjectScripts.bash("exec scripts/kafka/broker classpath >/dev/null", List.of(),
                Map.of("KAFKA_STATE_DIR", shared.toString()), log, TIMEOUT);
        try {
            Files.createDirectories(stateDir);
            Files.copy(shared.resolve("classpath.txt"), stateDir.resolve("classpath.txt"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void broker(String command) {
        ProjectScripts.bash("exec scripts/kafka/broker \"$1\"", List.of(command), env, log, TIMEOUT);
    }
}
