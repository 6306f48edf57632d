package dev.ferry.router.model;

import java.util.Objects;

/**
 * What a pool's partition of the router has handed out and has waiting.
 *
 * @param reserved     the sum of the requests of the pods it assigned that have not finished
 * @param queuedDemand the sum of the requests of the pods waiting in its queue
 * @param running      how many pods hold a reservation
 * @param queued       how many pods wait in its queue
 */
public record PoolUsage(Resources reserved, Resources queuedDemand, long running, long queued) {

    public static final PoolUsage EMPTY = new PoolUsage(Resources.NONE, Resources.NONE, 0, 0);

    public PoolUsage {
        Objects.requireNonNull(reserved, "reserved");
        Objects.requireNonNull(queuedDemand, "queuedDemand");
    }

    public PoolUsage reserve(Resources request) {
        return new PoolUsage(reserved.plus(request), queuedDemand, running + 1, queued);
    }

    public PoolUsage release(Resources request) {
        return new PoolUsage(reserved.minus(request), queuedDemand, running - 1, queued);
    }

    public PoolUsage enqueue(Resources request) {
        return new PoolUsage(reserved, queuedDemand.plus(request), running, queued + 1);
    }

    public PoolUsage dequeue(Resources request) {
        return new PoolUsage(reserved, queuedDemand.minus(request), running, queued - 1);
    }
}
