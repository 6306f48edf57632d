package dev.ferry.router.model;

import java.util.Objects;

/**
 * A pool as the routing side sees it: the advert and the usage its partition last published. The usage may lag
 * the partition by up to one publication interval; it guides the choice of pool, while the pool's own partition
 * decides whether the pod really fits.
 *
 * @param spec    the advert
 * @param usage   reservations and queue
 * @param version grows with every publication, so readers can cache the decoded view
 */
public record PoolView(PoolSpec spec, PoolUsage usage, long version) {

    public PoolView {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(usage, "usage");
    }

    /** What is left to hand out now. */
    public Resources free() {
        return spec.allocatable().minus(usage.reserved());
    }
}
