package dev.ferry.router;

import dev.ferry.router.model.Resources;
import java.util.Objects;

/**
 * A pod waiting in a pool's queue (store {@value RouterTopology#QUEUE_STORE}; the key orders it: pool id, then
 * priority, highest first, then arrival).
 *
 * @param pod      the pod
 * @param ticket   the routing side's request it answers
 * @param attempt  the routing attempt
 * @param priority the pod's priority
 * @param request  what it needs
 * @param intent   the CREATE intent (Avro single-object encoding), for the RUN command
 * @param queuedAt wall-clock millis when it was queued
 */
record QueueEntry(PodId pod, long ticket, int attempt, int priority, Resources request, byte[] intent, long queuedAt) {

    QueueEntry {
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(intent, "intent");
    }
}
