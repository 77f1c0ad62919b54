package io.marketplaceindex.simulator;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the simulator as its own process:
 * {@code java -jar registry-simulator.jar --port 9400 --registries 3 --agents 200 --seed 1 --threads 16 --latency-ms 0 --name-prefix demo [--card-max-age-s 600]}.
 * Prints one line per registry on stdout ({@code registry <name> <baseUrl> agents=<n>}), then
 * {@code READY}; stops cleanly on SIGTERM or Ctrl-C.
 */
public final class RegistrySimulatorMain {

    private static final String USAGE = """
            usage: java -jar registry-simulator.jar [options]
              --port N          TCP port on 127.0.0.1 (default 9400; 0 = any free port)
              --registries N    registries to create at start (default 3)
              --agents N        agents per registry (default 200)
              --seed N          catalog seed (default 1)
              --threads N       HTTP handler threads (default 16)
              --latency-ms N    latency added to every registry response (default 0)
              --name-prefix S   registries are named S-1, S-2, ... (default demo)
              --card-max-age-s N  send Cache-Control: max-age=N with every card (default: not sent)
            More registries, mutations, faults: see GET /control/... on the running server.""";

    private RegistrySimulatorMain() {
    }

    /** @param cardMaxAgeSeconds null: no Cache-Control on cards */
    record Args(int port, int registries, int agents, long seed, int threads, long latencyMs, String namePrefix,
                Long cardMaxAgeSeconds) {
    }

    public static void main(String[] argv) throws InterruptedException {
        Args args;
        try {
            args = parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (args == null) {
            System.out.println(USAGE);
            return;
        }
        SimulatorOptions options = SimulatorOptions.defaults()
                .withPort(args.port())
                .withThreads(args.threads())
                .withLatency(Duration.ofMillis(args.latencyMs()))
                .withCardMaxAge(args.cardMaxAgeSeconds() == null ? null : Duration.ofSeconds(args.cardMaxAgeSeconds()));
        RegistrySimulator sim;
        try {
            sim = RegistrySimulator.start(options);
        } catch (RuntimeException e) {
            System.err.println("registry simulator cannot start: " + e.getMessage()
                    + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""));
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.close();
            stopped.countDown();
        }, "registry-sim-shutdown"));

        PrintStream out = System.out;
        for (int i = 1; i <= args.registries(); i++) {
            SimulatedRegistry r = sim.addRegistry(args.namePrefix() + "-" + i, args.agents(), args.seed());
            out.println("registry " + r.name() + " " + r.baseUrl() + " agents=" + r.size());
        }
        // stdout carries only registry lines and READY, so a launcher can parse it line by line.
        System.err.println("control API: " + sim.baseUrl() + "/control/registries (see " + sim.baseUrl() + "/)");
        out.println("READY");
        out.flush();
        // The server's threads are daemons, so this thread is what keeps the process alive.
        stopped.await();
    }

    /** @return null when help was asked for */
    static Args parse(String[] argv) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("--port", "9400");
        values.put("--registries", "3");
        values.put("--agents", "200");
        values.put("--seed", "1");
        values.put("--threads", "16");
        values.put("--latency-ms", "0");
        values.put("--name-prefix", "demo");
        values.put("--card-max-age-s", "");
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                return null;
            }
            String key = arg;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                key = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (i + 1 < argv.length) {
                value = argv[++i];
            } else {
                throw new IllegalArgumentException("missing value for " + arg);
            }
            if (!values.containsKey(key)) {
                throw new IllegalArgumentException("unknown option " + key);
            }
            values.put(key, value);
        }
        String cardMaxAge = values.get("--card-max-age-s");
        try {
            Long cardMaxAgeSeconds = cardMaxAge.isEmpty() ? null : Long.parseLong(cardMaxAge);
            if (cardMaxAgeSeconds != null && cardMaxAgeSeconds < 0) {
                throw new IllegalArgumentException("--card-max-age-s must not be negative");
            }
            return new Args(
                    Integer.parseInt(values.get("--port")),
                    Integer.parseInt(values.get("--registries")),
                    Integer.parseInt(values.get("--agents")),
                    Long.parseLong(values.get("--seed")),
                    Integer.parseInt(values.get("--threads")),
                    Long.parseLong(values.get("--latency-ms")),
                    values.get("--name-prefix"),
                    cardMaxAgeSeconds);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: " + e.getMessage());
        }
    }
}
