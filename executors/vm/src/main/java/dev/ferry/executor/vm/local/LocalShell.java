package dev.ferry.executor.vm.local;

import dev.ferry.executor.process.LocalCommandRunner;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.vm.ssh.ExecResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs the VM backend's scripts on this machine, for a host whose address is {@code local}: the
 * same {@code sh -s} with the script on standard input that an SSH host gets, started as a child
 * process of the executor (its own user), with no SSH and no login.
 *
 * <p>What a script may assume of an SSH login holds here too: it starts in the user's home
 * directory (so a relative {@code workDir} is under it), with {@code HOME}, {@code USER},
 * {@code LOGNAME}, {@code PATH}, {@code SHELL}, {@code LANG}, {@code LC_ALL}, {@code TZ} and
 * {@code XDG_RUNTIME_DIR} (for rootless podman) of the executor's process and nothing else of its
 * environment (Kafka settings and credentials stay out of pods, as with
 * {@link LocalCommandRunner}); its standard output comes back as bytes, unchanged (log frames are
 * raw bytes counted by length). A script that overruns its timeout is abandoned and its shell
 * killed; what it started detached ({@code setsid}: the jobs) is left alone, as over SSH.
 *
 * <p>Why not {@link LocalCommandRunner} itself: it gives a program no standard input and returns
 * its output as text, and a job's script can be larger than the 128 KiB one argument may hold.
 *
 * <p>Linux only, as the VMs are: the scripts read {@code /proc} and use {@code setsid}
 * ({@link #supported()}). Thread-safe.
 */
public final class LocalShell implements AutoCloseable {

    /** The variables a script gets from the executor's environment, when set. */
    public static final List<String> INHERITED;

    static {
        List<String> names = new java.util.ArrayList<>(LocalCommandRunner.INHERITED);
        names.addAll(List.of("SHELL", "XDG_RUNTIME_DIR"));
        INHERITED = List.copyOf(names);
    }

    private static final String SHELL = "/bin/sh";
    private static final Duration OUTPUT_GRACE = Duration.ofSeconds(5);

    private final Map<String, String> environment;
    private final Path home;
    private final LongAdder execs = new LongAdder();
    private final ExecutorService drains = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ferry-local-shell");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param environment the scripts' whole environment, but for {@code HOME}
     * @param home        where scripts start, and their {@code HOME} (relative paths in them are under it), as over SSH
     */
    public LocalShell(Map<String, String> environment, Path home) {
        this.home = Objects.requireNonNull(home, "home").toAbsolutePath();
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put("HOME", this.home.toString());
        this.environment = Map.copyOf(env);
    }

    /** Scripts run as this process's user, from its home, with {@link #loginEnvironment} of this process. */
    public static LocalShell forThisUser() {
        Map<String, String> env = loginEnvironment(System.getenv(), System.getProperty("user.home"), System.getProperty("user.name"));
        return new LocalShell(env, Path.of(env.get("HOME")));
    }

    /**
     * What an SSH login would give a script: the {@link #INHERITED} variables of
     * {@code processEnvironment}, with {@code HOME}, {@code USER} and {@code LOGNAME} filled in
     * from the JVM's {@code user.home} and {@code user.name} when the environment lacks them, and
     * a default {@code PATH}.
     */
    public static Map<String, String> loginEnvironment(Map<String, String> processEnvironment, String userHome, String userName) {
        Map<String, String> env = new LinkedHashMap<>(LocalCommandRunner.environment(processEnvironment, Map.of()));
        for (String name : INHERITED) {
            String value = processEnvironment.get(name);
            if (value != null && !value.isEmpty()) {
                env.putIfAbsent(name, value);
            }
        }
        if (env.getOrDefault("HOME", "").isBlank()) {
            env.put("HOME", userHome);
        }
        if (env.getOrDefault("USER", "").isBlank()) {
            env.put("USER", userName);
        }
        if (env.getOrDefault("LOGNAME", "").isBlank()) {
            env.put("LOGNAME", env.get("USER"));
        }
        return env;
    }

    /** Whether this machine can run the backend's scripts: Linux, with {@code /proc} and {@code /bin/sh}. */
    public static boolean supported() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux") && Files.isDirectory(Path.of("/proc/self"))
                && Files.isExecutable(Path.of(SHELL));
    }

    /**
     * Runs {@code script} with {@code sh -s} and waits for the shell to exit.
     *
     * @throws BackendException {@code UNAVAILABLE} when the shell cannot be started or does not finish within {@code timeout}
     *         (it is killed then); {@code FAILED} when its output cannot be read
     */
    public ExecResult exec(byte[] script, Duration timeout) throws BackendException {
        long start = System.nanoTime();
        execs.increment();
        ProcessBuilder builder = new ProcessBuilder(SHELL, "-s").directory(home.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new BackendException(BackendException.Reason.UNAVAILABLE, "cannot run " + SHELL + " on this machine in " + home + ": "
                    + e.getMessage(), e);
        }
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()), drains);
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()), drains);
        CompletableFuture<Void> in = CompletableFuture.runAsync(() -> feed(process.getOutputStream(), script), drains);
        try {
            if (!process.waitFor(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new BackendException(BackendException.Reason.UNAVAILABLE, "a script on this machine did not finish within " + timeout
                        + " and was abandoned");
            }
            in.cancel(false);
            byte[] stdout = out.get(OUTPUT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            byte[] stderr = err.get(OUTPUT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            return new ExecResult(process.exitValue(), stdout, new String(stderr, StandardCharsets.UTF_8),
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BackendException(BackendException.Reason.UNAVAILABLE, "interrupted while running a script on this machine", e);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new BackendException(BackendException.Reason.FAILED, "cannot read the output of a script on this machine (a process it"
                    + " started may keep its output open): " + e, e);
        } finally {
            closeQuietly(process.getInputStream());
            closeQuietly(process.getErrorStream());
        }
    }

    /** Scripts run so far; for tests and benchmarks. */
    public long execCount() {
        return execs.sum();
    }

    /** Where scripts start. */
    public Path home() {
        return home;
    }

    /** The scripts' environment. */
    public Map<String, String> environment() {
        return environment;
    }

    @Override
    public void close() {
        drains.shutdownNow();
    }

    private static byte[] drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            in.transferTo(buffer);
            return buffer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the script; a shell that exits before reading all of it (exit in the middle) closes the pipe, which is no error. */
    private static void feed(OutputStream in, byte[] script) {
        try (in) {
            in.write(script);
        } catch (IOException e) {
            // the shell is gone: its exit code and error output tell what happened
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // nothing left to read
        }
    }
}
