package dev.ferry.router.model;

import java.util.List;
import java.util.Objects;

/**
 * One pool considered for a pod.
 *
 * @param poolId       the pool
 * @param site         its site
 * @param eligible     the pool could run the pod (now or once capacity frees up)
 * @param fitsNow      eligible, and the pod fits beside the pool's current reservations (as last published)
 * @param score        the scoring policy's score; {@code NaN} when not eligible
 * @param backlogScore like {@code score}, counting the pool's queue as reserved too; picks the queue to wait in
 * @param reasons      why the pool cannot run the pod, in words the pod's user can act on; empty when eligible
 */
public record Candidate(String poolId, String site, boolean eligible, boolean fitsNow, double score,
                        double backlogScore, List<String> reasons) {

    public Candidate {
        Objects.requireNonNull(poolId, "poolId");
        Objects.requireNonNull(site, "site");
        reasons = List.copyOf(reasons);
    }

    /** The same candidate with one more reason (it lost at its pool's partition, e.g. no room there after all). */
    public Candidate lostBecause(String reason) {
        List<String> more = new java.util.ArrayList<>(reasons);
        more.add(reason);
        return new Candidate(poolId, site, eligible, false, score, backlogScore, more);
    }
}
