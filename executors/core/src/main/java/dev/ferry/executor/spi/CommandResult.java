package dev.ferry.executor.spi;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** What a command did: its exit code, its output as text, and how long it took. */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderr, Duration took) {
    public CommandResult {
        argv = List.copyOf(argv);
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(took, "took");
    }

    public boolean ok() {
        return exitCode == 0;
    }

    /** The program's name and exit code, and its error output (trimmed), for messages. */
    public String describe() {
        String err = stderr.strip();
        return argv.get(0) + " exited " + exitCode + (err.isEmpty() ? "" : ": " + err);
    }
}
