package io.marketplaceindex.testsupport;

/**
 * A server the project's scripts start and stop, with its data in a directory of the test: the first
 * start makes it afresh, a stop keeps the data, the next start resumes on the same port with it.
 */
abstract class ScriptedServer implements StoppableServers.Stoppable {

    private final int port;
    private boolean made;
    private boolean running;

    ScriptedServer(int port) {
        this.port = port;
    }

    /** Deletes what a previous run left in the directory and starts the server empty. */
    abstract void startFresh();

    /** Starts the stopped server again with its data. */
    abstract void resume();

    /** Stops the server; the data stays. */
    abstract void halt();

    /** Stops the server if it runs and deletes its data. */
    abstract void discard();

    @Override
    public int port() {
        return port;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        try {
            if (made) {
                resume();
            } else {
                startFresh();
            }
        } catch (RuntimeException e) {
            // a server that did not start in time, or failed a later step, must not outlive the test;
            // its data stays to be looked into
            try {
                halt();
            } catch (RuntimeException stopFailed) {
                e.addSuppressed(stopFailed);
            }
            throw e;
        }
        made = true;
        running = true;
    }

    @Override
    public synchronized void stop() {
        if (running) {
            halt();
            running = false;
        }
    }

    @Override
    public synchronized void close() {
        discard();
        running = false;
    }
}
