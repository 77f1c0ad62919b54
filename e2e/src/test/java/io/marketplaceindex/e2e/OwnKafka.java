package io.marketplaceindex.e2e;

import io.marketplaceindex.testsupport.ServiceProcesses;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A Kafka broker of a test's own: the project's broker script (scripts/kafka/broker) with its state in
 * a directory of the test and free ports, so it can be stopped and started again on the same port with
 * its data, which the shared broker must never be.
 */
final class OwnKafka implements AutoCloseable {

    /** The first start may resolve the broker's class path with Maven. */
    private static final Duration TIMEOUT = Duration.ofSeconds(240);

    private final Map<String, String> env;
    private final Path log;
    private final int port;

    private OwnKafka(Path stateDir, int port, int controllerPort) {
        Path dir = stateDir.toAbsolutePath();
        this.port = port;
        this.env = Map.of("KAFKA_PORT", String.valueOf(port), "KAFKA_CONTROLLER_PORT", String.valueOf(controllerPort),
                "KAFKA_STATE_DIR", dir.toString(), "KAFKA_HEAP_OPTS", "-Xms128m -Xmx384m",
                // a busy two-core machine has been seen to take a minute
                "KAFKA_START_TIMEOUT", "180");
        this.log = dir.resolveSibling(dir.getFileName() + "-control.log");
    }

    /** A fresh broker (the data of a previous run deleted, its cached class path kept) on free ports. */
    static OwnKafka start(Path stateDir) {
        OwnKafka broker = new OwnKafka(stateDir, ServiceProcesses.freePort(), ServiceProcesses.freePort());
        broker.broker("reset");
        try {
            broker.broker("start");
        } catch (RuntimeException e) {
            // the script leaves a broker that did not start in time running: it must not outlive the test
            broker.close();
            throw e;
        }
        return broker;
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** SIGTERM (a controlled shutdown), SIGKILL after 20 s; the data stays. */
    void stop() {
        broker("stop");
    }

    /** Starts the stopped broker again on the same ports with its data. */
    void startAgain() {
        broker("start");
    }

    /** Stops the broker and deletes its data. */
    @Override
    public void close() {
        broker("reset");
    }

    private void broker(String command) {
        ProjectScripts.bash("exec scripts/kafka/broker \"$1\"", List.of(command), env, log, TIMEOUT);
    }
}
