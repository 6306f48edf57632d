package dev.ferry.executor.spi;

import java.util.Objects;

/**
 * A backend call failed. The {@link Reason} decides what the runtime does: a {@code REJECTED}
 * pod fails with {@link #podReason()} and the message; {@code UNAVAILABLE} is retried later and
 * marks the site's pools DOWN while it lasts; {@code FAILED} is logged and retried.
 */
public class BackendException extends Exception {

    /** What kind of failure. */
    public enum Reason {
        /** The pod can never run here as written; the message names what to change. */
        REJECTED,
        /** The backend cannot be reached or did not answer in time; try again later. */
        UNAVAILABLE,
        /** Anything else (an unexpected answer); try again later. */
        FAILED
    }

    private final Reason reason;
    private final String podReason;

    public BackendException(Reason reason, String message) {
        this(reason, defaultPodReason(reason), message, null);
    }

    public BackendException(Reason reason, String message, Throwable cause) {
        this(reason, defaultPodReason(reason), message, cause);
    }

    /**
     * @param podReason the CamelCase reason the pod gets when {@code reason} is {@code REJECTED},
     *                  e.g. {@code InvalidFlag}, {@code SubmitRejected}
     */
    public BackendException(Reason reason, String podReason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.podReason = Objects.requireNonNull(podReason, "podReason");
    }

    /** A pod that cannot run as written. */
    public static BackendException rejected(String podReason, String message) {
        return new BackendException(Reason.REJECTED, podReason, message, null);
    }

    public Reason reason() {
        return reason;
    }

    /** The pod status reason when the pod fails because of this. */
    public String podReason() {
        return podReason;
    }

    private static String defaultPodReason(Reason reason) {
        return switch (reason) {
            case REJECTED -> "SubmitRejected";
            case UNAVAILABLE -> "BackendUnavailable";
            case FAILED -> "BackendError";
        };
    }
}
