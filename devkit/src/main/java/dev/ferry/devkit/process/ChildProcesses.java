package dev.ferry.devkit.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Small helpers shared by the launchers of child processes (Kafka broker, schema registry). */
public final class ChildProcesses {

    private ChildProcesses() {
    }

    /** The {@code java} executable of the running JVM, so a child runs on the same Java as its parent. */
    public static String javaExecutable() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Stops a process and its descendants: a polite {@code destroy()} (SIGTERM), then {@code destroyForcibly()}
     * (SIGKILL) for whatever is still alive after {@code grace}.
     *
     * @return true when the process is gone on return
     */
    public static boolean stop(ProcessHandle process, Duration grace) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
        if (!awaitExit(process, grace)) {
            process.destroyForcibly();
            awaitExit(process, Duration.ofSeconds(10));
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        return !process.isAlive();
    }

    private static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** The last {@code lines} lines of a log file, for error messages; a note instead when it cannot be read. */
    public static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(" + file + " does not exist)";
            }
            List<String> all = List.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\\R"));
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    /**
     * Registers a JVM shutdown hook that runs {@code stop} (so Ctrl-C on the parent does not leave a child
     * running); the returned hook can be passed to {@link #removeShutdownHook(Thread)} once stopped normally.
     */
    public static Thread onShutdown(String name, Runnable stop) {
        Thread hook = new Thread(stop, "stop-" + name);
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** Removes a hook from {@link #onShutdown}; harmless while the JVM is already shutting down. */
    public static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway, and stopping a stopped process does nothing
        }
    }
}
