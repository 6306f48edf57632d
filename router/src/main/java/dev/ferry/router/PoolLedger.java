package dev.ferry.router;

import dev.ferry.router.model.PoolSpec;
import dev.ferry.router.model.PoolUsage;
import dev.ferry.router.model.PoolView;
import java.util.Objects;

/**
 * A pool's partition's record of the pool (stores {@value RouterTopology#SPECS_STORE} and
 * {@value RouterTopology#LEDGERS_STORE}, key pool id): the latest advert, what is reserved and queued, and counters.
 *
 * @param spec        the latest advert
 * @param usage       reservations and queue totals
 * @param nextArrival the next queue arrival number (queue order within a priority)
 * @param version     grows with every change, published with the view
 */
record PoolLedger(PoolSpec spec, PoolUsage usage, long nextArrival, long version) {

    PoolLedger {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(usage, "usage");
    }

    PoolLedger with(PoolSpec newSpec) {
        return new PoolLedger(newSpec, usage, nextArrival, version + 1);
    }

    PoolLedger with(PoolUsage newUsage) {
        return new PoolLedger(spec, newUsage, nextArrival, version + 1);
    }

    PoolLedger arrived() {
        return new PoolLedger(spec, usage, nextArrival + 1, version);
    }

    PoolView view() {
        return new PoolView(spec, usage, version);
    }

    Counts counts() {
        return new Counts(usage, nextArrival, version);
    }

    /**
     * What changes with every pod, stored apart from the advert (store {@value RouterTopology#LEDGERS_STORE}; the
     * advert is in {@value RouterTopology#SPECS_STORE}).
     *
     * @param usage       reservations and queue totals
     * @param nextArrival the next queue arrival number
     * @param version     the ledger's version
     */
    record Counts(PoolUsage usage, long nextArrival, long version) {
    }
}
