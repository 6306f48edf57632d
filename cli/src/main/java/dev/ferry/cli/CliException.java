package dev.ferry.cli;

/**
 * An expected failure of a command: printed as one line (its message) without a stack trace, and ending the
 * command with {@link #exitCode()}.
 */
public class CliException extends RuntimeException {

    private final int exitCode;

    public CliException(int exitCode, String message) {
        this(exitCode, message, null);
    }

    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** {@link Ferry#EXIT_FAILED} or {@link Ferry#EXIT_USAGE}. */
    public int exitCode() {
        return exitCode;
    }
}
