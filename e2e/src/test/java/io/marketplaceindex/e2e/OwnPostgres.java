package io.marketplaceindex.e2e;

import io.marketplaceindex.testsupport.ServiceProcesses;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A PostgreSQL server of a test's own, started from the machine's PostgreSQL binaries by the same
 * shell functions the benchmarks use (scripts/lib/postgres.sh), with the stock settings: it can be
 * stopped and started again on the same port with its data, which the shared server must never be.
 */
final class OwnPostgres implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String LIBRARY = "source scripts/lib/common.sh; source scripts/lib/postgres.sh; ";

    private final Path dir;
    private final int port;
    private final Path log;

    private OwnPostgres(Path dir, int port) {
        this.dir = dir.toAbsolutePath();
        this.port = port;
        this.log = this.dir.resolveSibling(this.dir.getFileName() + "-control.log");
    }

    /** initdb into {@code dir/data} (a previous one is deleted) and start on a free port. */
    static OwnPostgres start(Path dir) {
        OwnPostgres server = new OwnPostgres(dir, ServiceProcesses.freePort());
        try {
            server.run("own_postgres_start \"$1\" \"$2\" none");
        } catch (RuntimeException e) {
            server.close(); // a server that started but failed a later step must not outlive the test
            throw e;
        }
        return server;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/} */
    String hostUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/";
    }

    /** pg_ctl stop -m fast: sessions are ended, the data stays. */
    void stop() {
        run("own_postgres_stop \"$1\" keep");
    }

    /** Starts the stopped server again on the same port with its data. */
    void startAgain() {
        run("own_postgres_resume \"$1\" \"$2\"");
    }

    /** Stops the server if it runs and deletes its data. */
    @Override
    public void close() {
        run("own_postgres_stop \"$1\"");
    }

    private void run(String call) {
        ProjectScripts.bash(LIBRARY + call, List.of(dir.toString(), String.valueOf(port)), Map.of(), log, TIMEOUT);
    }
}
