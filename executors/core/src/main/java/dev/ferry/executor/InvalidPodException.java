package dev.ferry.executor;

/** A pod that cannot be run as written; it fails with {@link #reason()} and the message. */
public final class InvalidPodException extends Exception {
    private final String reason;

    public InvalidPodException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** CamelCase pod status reason. */
    public String reason() {
        return reason;
    }
}
