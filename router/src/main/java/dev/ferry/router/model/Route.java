package dev.ferry.router.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The routing side's next step for a pod, decided from a {@link MatchResult} and what the pools' partitions have
 * answered so far in this attempt. The pool's partition has the last word on capacity: a {@link Try} is taken only
 * if the pod fits there at once, a {@link Wait} queues it when it does not.
 */
public sealed interface Route permits Route.Try, Route.Wait, Route.Reject {

    /** Reserve at this pool if the pod fits there now, else answer "no room" so another pool can be tried. */
    record Try(Candidate pool) implements Route {
    }

    /** Reserve at this pool if the pod fits there now, else queue it there. */
    record Wait(Candidate pool) implements Route {
    }

    /** No pool can run the pod. */
    record Reject(String reason) implements Route {
    }

    /**
     * The next step.
     * <ol>
     *   <li>No eligible pool: reject with the match's explanation.</li>
     *   <li>Every eligible pool answered that it cannot take the pod at all (went DOWN, shrank): reject, saying
     *       so.</li>
     *   <li>Some pool where the pod fits now (by the published usage) and that has not answered "no room": try the
     *       best one by the scoring policy; when it is the only one left and also the queue the pod would wait in,
     *       wait there at once.</li>
     *   <li>Otherwise wait in the queue with the most room left after its backlog (ties by pool id).</li>
     * </ol>
     *
     * @param match       the pod matched against the current pool views
     * @param noRoom      pools that answered "no room now" in this attempt
     * @param unavailable pools that answered they cannot take the pod at all, with their reasons
     */
    static Route next(MatchResult match, Set<String> noRoom, Map<String, String> unavailable) {
        if (!match.anyEligible()) {
            return new Reject(match.rejection());
        }
        List<Candidate> eligible = new ArrayList<>(match.eligible().size());
        for (Candidate c : match.eligible()) {
            if (!unavailable.containsKey(c.poolId())) {
                eligible.add(c);
            }
        }
        if (eligible.isEmpty()) {
            return new Reject("no pool can run this pod now: " + unavailable.entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("; ")));
        }
        // the queue with the most room after its backlog, ties by pool id
        Candidate queue = eligible.get(0);
        for (Candidate c : eligible) {
            int byBacklog = Double.compare(-c.backlogScore(), -queue.backlogScore());
            if (byBacklog < 0 || byBacklog == 0 && c.poolId().compareTo(queue.poolId()) < 0) {
                queue = c;
            }
        }
        if (eligible.size() == 1) {
            return new Wait(queue);
        }
        Candidate best = null;
        int tryable = 0;
        for (Candidate c : eligible) {
            if (c.fitsNow() && !noRoom.contains(c.poolId())) {
                best = best == null ? c : best;
                tryable++;
            }
        }
        if (best == null) {
            return new Wait(queue);
        }
        // waiting at once saves a round trip only when there is nothing else to try should it turn out full
        return tryable == 1 && best.poolId().equals(queue.poolId()) ? new Wait(best) : new Try(best);
    }
}
