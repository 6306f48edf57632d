package dev.ferry.gateway.status;

import dev.ferry.events.PodRef;

/**
 * A pod status could not be written, and retrying at once would not help: the caller should keep the event and try
 * again later ({@link Reason#API_UNAVAILABLE}, {@link Reason#CONFLICTS}) or dead-letter it ({@link Reason#REJECTED}).
 */
public final class StatusWriteException extends RuntimeException {

    /** Why the write failed; decides between retrying later and giving up. */
    public enum Reason {
        /** The API server kept answering 5xx / 429 or could not be reached for the whole retry period. */
        API_UNAVAILABLE,
        /** The pod kept changing between read and write (409) more often than the bound allows. */
        CONFLICTS,
        /** The API server refused the write (e.g. 403, 422): retrying the same write cannot succeed. */
        REJECTED,
        /** The thread was interrupted while waiting to retry. */
        INTERRUPTED
    }

    private final Reason reason;
    private final transient PodRef pod;

    public StatusWriteException(Reason reason, PodRef pod, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.pod = pod;
    }

    public Reason reason() {
        return reason;
    }

    /** The pod whose status could not be written. */
    public PodRef pod() {
        return pod;
    }

    /** Whether the same write may succeed later. */
    public boolean retryable() {
        return reason != Reason.REJECTED;
    }
}
