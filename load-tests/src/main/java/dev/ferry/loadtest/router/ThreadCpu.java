package dev.ferry.loadtest.router;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where this process's CPU went between {@link #start} and {@link #report}: every thread's user + system time from
 * {@code /proc/self/task/<tid>/stat}, grouped by its name (the kernel keeps 15 characters of it; digits are folded,
 * so the two stream threads or the broker's request handlers are one group). Unlike {@code ThreadMXBean} it
 * sees the JIT compiler, the garbage collector and RocksDB's background threads too. Linux only; elsewhere the
 * report says so.
 */
final class ThreadCpu {

    private static final Path TASKS = Paths.get("/proc/self/task");

    private final CounterRates cpu;

    private ThreadCpu(CounterRates cpu) {
        this.cpu = cpu;
    }

    static ThreadCpu start() {
        return new ThreadCpu(CounterRates.start(ThreadCpu::ticks));
    }

    /** The process's cores busy since {@link #start}, and the groups that used at least 2 % of a core, largest first. */
    String report() {
        Map<String, Double> perSecond = cpu.perSecond();
        if (perSecond.isEmpty()) {
            return "per-thread CPU unknown (no /proc/self/task)";
        }
        Map<String, Double> cores = new HashMap<>();
        // USER_HZ is 100 on Linux: ticks per second / 100 = cores
        perSecond.forEach((tid, rate) -> cores.merge(tid.substring(tid.indexOf(' ') + 1), rate / 100, Double::sum));
        double total = cores.values().stream().mapToDouble(Double::doubleValue).sum();
        return String.format(Locale.ROOT, "this JVM %.2f cores: ", total) + cores.entrySet().stream()
                .filter(e -> e.getValue() >= 0.02).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }

    /** "tid group" → user + system ticks, for every thread alive now. */
    private static Map<String, Long> ticks() {
        Map<String, Long> ticks = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // fields[11], [12]: utime and stime (the 14th and 15th of stat(5), counted after the name)
                    ticks.put(task.getFileName() + " " + name.replaceAll("\\d+", "N").trim(),
                            Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
                } catch (IOException | RuntimeException e) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return ticks;
    }
}
