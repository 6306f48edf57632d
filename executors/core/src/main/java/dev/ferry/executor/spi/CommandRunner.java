package dev.ferry.executor.spi;

import java.time.Duration;
import java.util.List;

/**
 * Runs a backend's command-line tools ({@code sbatch}, {@code condor_q}, ...) with an argument
 * list, never through a shell, so no argument is ever interpreted. Implementations run locally
 * ({@code dev.ferry.executor.process.LocalCommandRunner}), and later inside a chroot or over SSH;
 * a backend is written against this interface only.
 */
public interface CommandRunner {

    /**
     * Runs {@code argv} to completion or until {@code timeout}, and returns its exit code and
     * output. A non-zero exit is a result, not an exception.
     *
     * @throws BackendException {@code UNAVAILABLE} when the program cannot be started or does not
     *         finish within {@code timeout} (it is killed then)
     */
    CommandResult run(List<String> argv, Duration timeout) throws BackendException;

    /** Runs with the runner's default timeout. */
    CommandResult run(List<String> argv) throws BackendException;

    /** How many commands this runner has run, per program name ({@code argv[0]}'s file name); for benchmarks and tests. */
    java.util.Map<String, Long> invocations();
}
