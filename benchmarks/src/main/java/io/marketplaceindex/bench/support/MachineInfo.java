package io.marketplaceindex.bench.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What a result is only meaningful with: the machine it was measured on. */
public final class MachineInfo {

    private MachineInfo() {
    }

    /** CPU seconds (user + system) a live process has used so far; 0 once it is gone. */
    public static double processCpuSeconds(long pid) {
        long[] ticks = procStatTicks(pid);
        return (ticks[0] + ticks[1]) / CLOCK_TICKS_PER_SECOND;
    }

    /**
     * CPU seconds a server and everything it started have used so far: the process itself, its
     * live descendants, and the children it has already reaped (their time is added to its own
     * {@code cutime}/{@code cstime} when it waits for them). For a PostgreSQL postmaster that is every
     * backend and background process, including those that came and went.
     */
    public static double processTreeCpuSeconds(long pid) {
        long[] own = procStatTicks(pid);
        double seconds = (own[0] + own[1] + own[2] + own[3]) / CLOCK_TICKS_PER_SECOND;
        for (ProcessHandle child : ProcessHandle.of(pid).map(p -> p.descendants().toList()).orElse(List.of())) {
            seconds += processCpuSeconds(child.pid());
        }
        return seconds;
    }

    /**
     * CPU seconds a live JVM's JIT compiler threads ("C1 CompilerThread…", "C2 CompilerThread…") have
     * used so far; 0 once it is gone. The JIT that still runs during a measurement is code the
     * process had not compiled yet, which a long-running one would have. The JVM starts and stops
     * compiler threads with its backlog; a stopped one takes its time with it, so this is a lower bound.
     */
    public static double jitCpuSeconds(long pid) {
        double seconds = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                String name;
                try {
                    name = Files.readString(task.resolve("comm")).strip();
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    long[] ticks = statTicks(task.resolve("stat"));
                    seconds += (ticks[0] + ticks[1]) / CLOCK_TICKS_PER_SECOND;
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return seconds;
    }

    /** USER_HZ: Linux reports process times in /proc in hundredths of a second on every platform. */
    private static final double CLOCK_TICKS_PER_SECOND = 100.0;

    /** utime, stime, cutime, cstime of a process from /proc/PID/stat; zeros once it is gone. */
    private static long[] procStatTicks(long pid) {
        return statTicks(Path.of("/proc/" + pid + "/stat"));
    }

    /** utime, stime, cutime, cstime from a process's or thread's stat file; zeros once it is gone. */
    private static long[] statTicks(Path statFile) {
        try {
            String stat = Files.readString(statFile);
            // the command name in parentheses may hold spaces: fields are counted after its ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[]{Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]),
                    Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return new long[4];
        }
    }

    public static Map<String, String> collect() {
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
    public static String cpuPressure() {
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

    public static String loadAverage() {
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

    /**
     * The machine table of a report, from {@link #collect()} plus the run's {@code postgres}, {@code loadAfter}
     * and {@code pressureAfter}: CPU, nproc (with {@code nprocNote} after it), memory, Java, PostgreSQL, the
     * {@code extraRows}, load and CPU pressure before / after (under {@code pressureLabel}).
     */
    public static String markdownTable(Map<String, String> machine, String nprocNote, Map<String, String> extraRows,
                                       String pressureLabel) {
        StringBuilder md = new StringBuilder("| | |\n| --- | --- |\n");
        Map<String, String> rows = new java.util.LinkedHashMap<>();
        rows.put("CPU", machine.get("cpu"));
        rows.put("`nproc`", machine.get("nproc") + nprocNote);
        rows.put("memory (`free -g`)", machine.get("memory"));
        rows.put("Java", machine.get("java"));
        rows.put("PostgreSQL", machine.get("postgres"));
        rows.putAll(extraRows);
        rows.put("load average before / after", machine.get("load") + " / " + machine.get("loadAfter"));
        rows.put(pressureLabel, machine.get("pressure") + " / " + machine.get("pressureAfter"));
        rows.forEach((name, value) -> md.append("| ").append(name).append(" | ").append(value).append(" |\n"));
        return md.toString();
    }
}
