package dev.ferry.router;

/**
 * An intent that no pool could ever run because it is malformed: an unknown operation, no containers, a quantity
 * that is negative or not a quantity, an affinity operator Kubernetes does not have. The message names the field
 * and what to write instead; it becomes the reason of the pod's REJECTED decision and Failed status.
 */
public final class InvalidIntentException extends RuntimeException {

    public InvalidIntentException(String message) {
        super(message);
    }
}
