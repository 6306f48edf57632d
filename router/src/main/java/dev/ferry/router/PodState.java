package dev.ferry.router;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The routing side's record of one pod (store {@value RouterTopology#PODS_STORE}, key pod UID).
 *
 * @param pod              the pod
 * @param phase            where it is
 * @param intentIds        every intent id seen for the pod, to drop duplicates
 * @param attempt          the routing attempt; grows when the pod is re-routed
 * @param ticket           the number of the latest request sent to a pool
 * @param poolId           the pool that request went to; null before the first
 * @param noRoom           pools that answered "no room now" in this attempt
 * @param unavailable      pools that answered they cannot take the pod, with why, in this attempt
 * @param deleteRequested  a DELETE intent arrived
 * @param statusSequence   the sequence of the last {@code pod-status} event the router wrote for the pod
 * @param decisionSequence the number of decisions the routing side wrote for the pod
 * @param updatedAt        wall-clock millis of the last change, for expiry of terminal pods
 */
record PodState(
        PodId pod,
        Phase phase,
        List<String> intentIds,
        int attempt,
        long ticket,
        String poolId,
        Set<String> noRoom,
        Map<String, String> unavailable,
        boolean deleteRequested,
        long statusSequence,
        long decisionSequence,
        long updatedAt) {

    /** Where a pod is. */
    enum Phase {
        /** A request is at {@code poolId}: it is assigned there, or the answer is on its way. */
        ROUTING,
        /** It waits in {@code poolId}'s queue, or was started from it since. */
        QUEUED,
        /** No pool can run it; terminal. */
        REJECTED,
        /** Deleted before it ran; terminal. */
        CANCELLED,
        /** Its executor reported a terminal status; terminal. */
        FINISHED;

        boolean terminal() {
            return this == REJECTED || this == CANCELLED || this == FINISHED;
        }
    }

    PodState {
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(phase, "phase");
        intentIds = List.copyOf(intentIds);
        noRoom = Set.copyOf(noRoom);
        unavailable = Map.copyOf(unavailable);
    }

    static PodState fresh(PodId pod, String intentId, long now) {
        return new PodState(pod, Phase.ROUTING, List.of(intentId), 0, 0, null, Set.of(), Map.of(), false, 0, 0, now);
    }

    boolean seen(String intentId) {
        return intentIds.contains(intentId);
    }

    PodState withIntentId(String intentId) {
        if (seen(intentId)) {
            return this;
        }
        List<String> ids = new java.util.ArrayList<>(intentIds);
        ids.add(intentId);
        return new PodState(pod, phase, ids, attempt, ticket, poolId, noRoom, unavailable, deleteRequested,
                statusSequence, decisionSequence, updatedAt);
    }

    PodState with(Phase newPhase, long now) {
        return new PodState(pod, newPhase, intentIds, attempt, ticket, poolId,
                newPhase.terminal() ? Set.of() : noRoom, newPhase.terminal() ? Map.of() : unavailable, deleteRequested,
                statusSequence, decisionSequence, now);
    }

    /** A new request to {@code pool}. */
    PodState sent(String pool, Phase newPhase, long now) {
        return new PodState(pod, newPhase, intentIds, attempt, ticket + 1, pool, noRoom, unavailable,
                deleteRequested, statusSequence, decisionSequence, now);
    }

    PodState noRoomAt(String pool) {
        Set<String> more = new java.util.HashSet<>(noRoom);
        more.add(pool);
        return new PodState(pod, phase, intentIds, attempt, ticket, poolId, more, unavailable, deleteRequested,
                statusSequence, decisionSequence, updatedAt);
    }

    PodState unavailableAt(String pool, String reason) {
        Map<String, String> more = new java.util.HashMap<>(unavailable);
        more.put(pool, reason);
        return new PodState(pod, phase, intentIds, attempt, ticket, poolId, noRoom, more, deleteRequested,
                statusSequence, decisionSequence, updatedAt);
    }

    /** A new routing attempt: the pool answers of the last one no longer count. */
    PodState nextAttempt() {
        return new PodState(pod, phase, intentIds, attempt + 1, ticket, poolId, Set.of(), Map.of(),
                deleteRequested, statusSequence, decisionSequence, updatedAt);
    }

    PodState markDeleted() {
        return new PodState(pod, phase, intentIds, attempt, ticket, poolId, noRoom, unavailable, true,
                statusSequence, decisionSequence, updatedAt);
    }

    PodState nextStatus() {
        return new PodState(pod, phase, intentIds, attempt, ticket, poolId, noRoom, unavailable, deleteRequested,
                statusSequence + 1, decisionSequence, updatedAt);
    }

    PodState nextDecision() {
        return new PodState(pod, phase, intentIds, attempt, ticket, poolId, noRoom, unavailable, deleteRequested,
                statusSequence, decisionSequence + 1, updatedAt);
    }
}
