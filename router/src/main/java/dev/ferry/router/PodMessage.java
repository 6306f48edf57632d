package dev.ferry.router;

import java.util.Objects;

/**
 * What a pool's partition answers the routing side (topic {@code <application-id>-pod-inbox}, key pod UID),
 * and what the dead-letter handler tells it about an intent that could not be decoded. An assignment is not
 * answered: the pool's partition writes the RUN command and the decision itself, and the routing side's state
 * ("at pool P") is the same whether the pod runs or waits there. Answers that send the pod elsewhere carry its
 * intent back, so the routing side keeps only a small record per pod.
 */
public sealed interface PodMessage permits PodMessage.NoRoom, PodMessage.Unavailable, PodMessage.Queued,
        PodMessage.Bounced, PodMessage.CancelOutcome, PodMessage.Undecodable {

    /**
     * A {@link PoolMessage.Reserve} without {@code mayQueue} did not fit now; try another pool.
     *
     * @param ticket the request answered
     * @param poolId the pool
     * @param reason what did not fit
     * @param intent the pod's intent, returned so the routing side need not keep it
     */
    record NoRoom(long ticket, String poolId, String reason, byte[] intent) implements PodMessage {
    }

    /**
     * The pool cannot take the pod at all (not READY, heartbeat expired, unknown, or its allocatable shrank below
     * the request); route elsewhere.
     *
     * @param ticket the request answered
     * @param poolId the pool
     * @param reason why, for the pod's user
     * @param intent the pod's intent, returned so the routing side need not keep it
     */
    record Unavailable(long ticket, String poolId, String reason, byte[] intent) implements PodMessage {
    }

    /**
     * The pod waits in the pool's queue.
     *
     * @param ticket   the request answered
     * @param poolId   the pool
     * @param site     the pool's site
     * @param position 1-based position in the queue when it was queued
     * @param reason   what it waits for, for the pod's user
     */
    record Queued(long ticket, String poolId, String site, long position, String reason) implements PodMessage {
    }

    /**
     * The pod was taken out of the pool's queue because the pool can no longer run it (went DOWN, DRAINING,
     * stopped heartbeating, shrank); route it again.
     *
     * @param ticket the request the pod was queued with
     * @param poolId the pool
     * @param reason why, for the pod's user
     * @param intent the pod's intent, returned so the routing side need not keep it
     */
    record Bounced(long ticket, String poolId, String reason, byte[] intent) implements PodMessage {
    }

    /**
     * What a {@link PoolMessage.Cancel} did.
     *
     * @param ticket the request the pod was held with (the cancel's ticket when not held)
     * @param poolId the pool
     * @param kind   what happened
     */
    record CancelOutcome(long ticket, String poolId, Kind kind) implements PodMessage {
        /** What a cancel did at the pool. */
        public enum Kind {
            /** The pod was waiting in the queue and is gone from it. */
            REMOVED_FROM_QUEUE,
            /** The pod was assigned: CANCEL went to its site; its reservation ends with its terminal status. */
            CANCEL_SENT,
            /** The pool holds nothing for the pod (an answer to the request is on its way). */
            NOT_HELD
        }

        public CancelOutcome {
            Objects.requireNonNull(kind, "kind");
        }
    }

    /**
     * A record on {@code pod-intents} for this pod could not be decoded; it is in {@code dead-letters}.
     *
     * @param reason the dead letter's reason and error
     */
    record Undecodable(String reason) implements PodMessage {
    }
}
