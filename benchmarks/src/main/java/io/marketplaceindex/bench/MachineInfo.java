package io.marketplaceindex.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What a result is only meaningful with: the machine it was measured on. */
final class MachineInfo {

    private MachineInfo() {
    }

    /** CPU seconds (user + system) a live process has used so far; 0 once it is gone. */
    static double processCpuSeconds(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration())
                .map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    static Map<String, String> collect() {
        Map<String, String> info = new LinkedHashMap<>();
        info.put("cpu", cpuModel());
        info.put("nproc", run("nproc").strip());
        String free = run("free", "-g").strip();
        info.put("freeRaw", free);
        info.put("memory", memorySummary(free));
        info.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vendor") + ")");
        info.put("load", loadAverage());
        info.put("pressure", cpuPressure());
        return info;
    }

    /** The share of time runnable tasks waited for a CPU over the last minute (Linux PSI), e.g. "76 %". */
    static String cpuPressure() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/pressure/cpu"))) {
                if (line.startsWith("some")) {
                    for (String field : line.split("\\s+")) {
                        if (field.startsWith("avg60=")) {
                            return field.substring(6) + " %";
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no PSI on this kernel
        }
        return "unknown";
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "unknown";
    }

    /** "23 GiB total, 20 GiB available" out of free -g's Mem: line. */
    private static String memorySummary(String free) {
        for (String line : free.split("\n")) {
            if (line.startsWith("Mem:")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 7) {
                    return f[1] + " GiB total, " + f[6] + " GiB available";
                }
            }
        }
        return free.replace('\n', ' ');
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
