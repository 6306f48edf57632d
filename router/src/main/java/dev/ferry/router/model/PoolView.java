package dev.ferry.router.model;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A pool as the routing side sees it: the advert and the usage its partition last published. The usage may lag
 * the partition by up to one publication interval; it guides the choice of pool, while the pool's own partition
 * decides whether the pod really fits.
 *
 * <p>A view is decoded once per publication and then matched against every pod until the next one, so what matching
 * derives from it (what is free, the amounts as doubles for scoring) is worked out here, once.
 */
public final class PoolView {

    /** Where {@link #amounts} keeps what: the allocatable amount, the reserved one, reserved + queued demand. */
    static final int ALLOCATABLE = 0;
    static final int RESERVED = 1;
    static final int BACKLOG = 2;

    private final PoolSpec spec;
    private final PoolUsage usage;
    private final long version;
    private final Resources free;
    /** Per allocatable resource: {allocatable, reserved, reserved + queued demand}. */
    private final Map<String, double[]> amounts;

    /**
     * @param spec    the advert
     * @param usage   reservations and queue
     * @param version grows with every publication, so readers can cache the decoded view
     */
    public PoolView(PoolSpec spec, PoolUsage usage, long version) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.usage = Objects.requireNonNull(usage, "usage");
        this.version = version;
        this.free = spec.allocatable().minus(usage.reserved());
        Resources backlog = usage.reserved().plus(usage.queuedDemand());
        Map<String, double[]> byName = new HashMap<>();
        spec.allocatable().asMap().forEach((name, total) -> byName.put(name, new double[] {
                total.doubleValue(), usage.reserved().get(name).doubleValue(), backlog.get(name).doubleValue()}));
        this.amounts = Map.copyOf(byName);
    }

    public PoolSpec spec() {
        return spec;
    }

    public PoolUsage usage() {
        return usage;
    }

    public long version() {
        return version;
    }

    /** What is left to hand out now. */
    public Resources free() {
        return free;
    }

    /**
     * {@code {allocatable, reserved, reserved + queued demand}} of one resource as doubles, for scoring; null when
     * the pool does not offer it.
     */
    double[] amounts(String resource) {
        return amounts.get(resource);
    }

    /** Whether the pool offers any of {@code resource}. */
    public boolean offers(String resource) {
        return spec.allocatable().get(resource).signum() > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PoolView v && version == v.version && spec.equals(v.spec) && usage.equals(v.usage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(spec, usage, version);
    }

    @Override
    public String toString() {
        return "PoolView[spec=" + spec + ", usage=" + usage + ", version=" + version + "]";
    }
}
