package io.marketplaceindex.bench.read;

import io.marketplaceindex.bench.support.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The machine and what else ran on it, as the report states them. */
final class Conditions {

    private Conditions() {
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " / " + parts[1] + " / " + parts[2];
        } catch (IOException e) {
            return "n/a";
        }
    }

    /** CPU pressure (share of time some runnable task waited for a CPU), last 10 s, or -1 where not available. */
    static double cpuPressure() {
        try {
            String some = Files.readAllLines(Path.of("/proc/pressure/cpu")).get(0);
            return Double.parseDouble(some.replaceFirst(".*avg10=([0-9.]+).*", "$1"));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Waits (at most maxWaitSeconds) until the CPU pressure of the last 10 s is at most the threshold:
     * a measurement should not start in the middle of someone else's build.
     *
     * @return how it went, for the report
     */
    static String awaitQuiet(int threshold, int maxWaitSeconds) throws InterruptedException {
        long start = System.nanoTime();
        double p = cpuPressure();
        if (threshold <= 0 || p < 0) {
            return String.format(java.util.Locale.ROOT, "%.0f%%", p);
        }
        // our own previous run still weighs on the 10 s average: give it that long to fade
        Thread.sleep(5_000);
        p = cpuPressure();
        while (p > threshold && System.nanoTime() - start < maxWaitSeconds * 1_000_000_000L) {
            Thread.sleep(2_000);
            p = cpuPressure();
        }
        long waited = (System.nanoTime() - start) / 1_000_000_000L;
        String result = String.format(java.util.Locale.ROOT, "%.0f%%%s", p,
                p > threshold ? " (not quiet after " + waited + " s)" : waited > 7 ? " (waited " + waited + " s)" : "");
        if (waited > 7) {
            Log.info("  CPU pressure %s", result);
        }
        return result;
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("n/a");
        } catch (IOException e) {
            return "n/a";
        }
    }

    static String memory() {
        try {
            String total = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .findFirst().orElse("MemTotal: 0 kB").replaceAll("[^0-9]", "");
            return String.format(java.util.Locale.ROOT, "%.1f GiB", Long.parseLong(total) / 1024.0 / 1024.0);
        } catch (IOException e) {
            return "n/a";
        }
    }

    static String command(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "n/a";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "n/a";
        }
    }

    /**
     * The busiest other processes (CPU share over their lifetime, as ps reports it; resident memory),
     * one line each, with long command lines shortened.
     */
    static String topProcesses(List<Long> ours) {
        String ps = command("ps", "-eo", "pid,pcpu,rss,args", "--sort=-pcpu", "--no-headers");
        List<String> lines = new ArrayList<>();
        for (String line : ps.lines().toList()) {
            String[] f = line.trim().split("\\s+", 4);
            if (f.length < 4 || ours.contains(Long.parseLong(f[0])) || f[3].startsWith("ps ")) {
                continue;
            }
            if (Double.parseDouble(f[1]) < 2.0 || lines.size() >= 10) {
                break;
            }
            lines.add(String.format(java.util.Locale.ROOT, "%5s%% cpu %6.0f MB  %s", f[1], Long.parseLong(f[2]) / 1024.0,
                    shorten(f[3])));
        }
        return String.join("\n", lines);
    }

    private static String shorten(String args) {
        // where the checkout and the local repository are says nothing about the run
        String s = args.replaceAll("-cp \\S+|-classpath \\S+", "-cp …").replaceAll("/root/\\.m2/repository/\\S+", "…")
                .replaceAll("(-D[\\w.]+=)/\\S+", "$1…").replace(System.getProperty("user.dir") + "/", "");
        if (s.contains("surefire")) {
            s = s.replaceAll("surefirebooter\\S*", "surefirebooter").replaceAll(" \\S*surefire\\S*", "");
        }
        return s.length() > 150 ? s.substring(0, 150) + "…" : s;
    }
}
