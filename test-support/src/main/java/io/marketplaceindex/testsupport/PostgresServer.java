package io.marketplaceindex.testsupport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A PostgreSQL server of a test's own, started from the machine's PostgreSQL binaries by the same shell
 * functions the benchmarks use ({@code scripts/lib/postgres.sh}), with the stock settings, so that it can
 * be stopped ({@code pg_ctl stop -m fast}) and started again on the same port with its data, which the
 * shared server must never be.
 */
final class PostgresServer extends ScriptedServer {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String LIBRARY = "source scripts/lib/common.sh; source scripts/lib/postgres.sh; ";

    private final Path dir;
    private final Path log;

    PostgresServer(Path dir, int port) {
        super(port);
        this.dir = dir;
        this.log = StoppableServers.controlLog(dir);
    }

    /** initdb into {@code dir/data} (a previous one is deleted), then start. */
    @Override
    void startFresh() {
        run("own_postgres_start \"$1\" \"$2\" none");
    }

    @Override
    void resume() {
        run("own_postgres_resume \"$1\" \"$2\"");
    }

    @Override
    void halt() {
        run("own_postgres_stop \"$1\" keep");
    }

    @Override
    void discard() {
        run("own_postgres_stop \"$1\"");
    }

    private void run(String call) {
        ProjectScripts.bash(LIBRARY + call, List.of(dir.toString(), String.valueOf(port())), Map.of(), log, TIMEOUT);
    }
}
