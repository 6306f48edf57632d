package dev.ferry.router.model;

import java.util.Comparator;
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
        List<Candidate> eligible = match.eligible().stream().filter(c -> !unavailable.containsKey(c.poolId())).toList();
        if (eligible.isEmpty()) {
            return new Reject("no pool can run this pod now: " + unavailable.entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("; ")));
        }
        Candidate queue = eligible.stream().min(Comparator.comparingDouble((Candidate c) -> -c.backlogScore())
                .thenComparing(Candidate::poolId)).orElseThrow();
        if (eligible.size() == 1) {
            return new Wait(queue);
        }
        List<Candidate> tryable = eligible.stream().filter(c -> c.fitsNow() && !noRoom.contains(c.poolId())).toList();
        if (tryable.isEmpty()) {
            return new Wait(queue);
        }
        Candidate best = tryable.get(0);
        // waiting at once saves a round trip only when there is nothing else to try should it turn out full
        return tryable.size() == 1 && best.poolId().equals(queue.poolId()) ? new Wait(best) : new Try(best);
    }
}
