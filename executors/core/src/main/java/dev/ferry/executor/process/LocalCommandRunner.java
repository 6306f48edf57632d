package dev.ferry.executor.process;

import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.CommandResult;
import dev.ferry.executor.spi.CommandRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs commands on this machine with {@link ProcessBuilder} and an argument list: no shell, so no
 * argument is ever interpreted. The child's environment is exactly {@code environment} (not this
 * JVM's), so nothing of the executor's own environment (credentials, Kafka settings) leaks into
 * the programs it runs or, through {@code sbatch}'s default {@code --export=ALL}, into jobs.
 */
public final class LocalCommandRunner implements CommandRunner {

    /** The variables a child gets from this process unless configured otherwise. */
    public static final List<String> INHERITED = List.of("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ");

    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final Duration defaultTimeout;
    private final Map<String, LongAdder> invocations = new ConcurrentHashMap<>();

    /**
     * @param environment      the children's whole environment
     * @param workingDirectory where children start
     * @param defaultTimeout   how long {@link #run(List)} waits
     */
    public LocalCommandRunner(Map<String, String> environment, Path workingDirectory, Duration defaultTimeout) {
        this.environment = Map.copyOf(environment);
        this.workingDirectory = Objects.requireNonNull(workingDirectory, "workingDirectory");
        this.defaultTimeout = Objects.requireNonNull(defaultTimeout, "defaultTimeout");
    }

    /**
     * The variables in {@link #INHERITED} from {@code processEnvironment}, then {@code extra} on top.
     */
    public static Map<String, String> environment(Map<String, String> processEnvironment, Map<String, String> extra) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        INHERITED.forEach(name -> {
            String value = processEnvironment.get(name);
            if (value != null) {
                env.put(name, value);
            }
        });
        env.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin");
        env.putAll(extra);
        return env;
    }

    @Override
    public CommandResult run(List<String> argv) throws BackendException {
        return run(argv, defaultTimeout);
    }

    @Override
    public CommandResult run(List<String> argv, Duration timeout) throws BackendException {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        invocations.computeIfAbsent(Path.of(argv.get(0)).getFileName().toString(), k -> new LongAdder()).increment();
        ProcessBuilder builder = new ProcessBuilder(argv).directory(workingDirectory.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        long start = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new BackendException(BackendException.Reason.UNAVAILABLE,
                    "cannot run " + argv.get(0) + ": " + e.getMessage() + " (is it installed and on PATH=" + environment.get("PATH") + "?)", e);
        }
        try {
            process.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new BackendException(BackendException.Reason.UNAVAILABLE,
                        argv.get(0) + " did not finish within " + timeout + " and was killed");
            }
            String stdout = out.get(10, TimeUnit.SECONDS);
            String stderr = err.get(10, TimeUnit.SECONDS);
            return new CommandResult(argv, process.exitValue(), stdout, stderr, Duration.ofNanos(System.nanoTime() - start));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BackendException(BackendException.Reason.UNAVAILABLE, "interrupted while running " + argv.get(0), e);
        } catch (IOException | ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new BackendException(BackendException.Reason.FAILED, "cannot read the output of " + argv.get(0) + ": " + e, e);
        }
    }

    @Override
    public Map<String, Long> invocations() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        invocations.forEach((k, v) -> counts.put(k, v.sum()));
        return counts;
    }

    private static String drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            in.transferTo(buffer);
            return buffer.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
