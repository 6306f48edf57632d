package dev.ferry.gateway.node;

import dev.ferry.events.PoolAdvert;
import dev.ferry.events.PoolState;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capacity the virtual node shows: the sum over the pools that can take work now, kept from the compacted
 * {@code pools} topic. A pool counts while it is {@code READY} and its advert is fresh ({@code heartbeatAt +
 * heartbeatTtlSeconds} after the time asked about); a pool that goes DOWN, DRAINING or silent drops out of the sums
 * without anyone removing it. Every resource a pool names is summed, {@code cpu}, {@code memory},
 * {@code ephemeral-storage}, {@code nvidia.com/gpu} or any other, with Kubernetes quantity arithmetic.
 *
 * <p>Thread-safe: the pools consumer calls {@link #update}, the node keeper reads.
 */
public final class PoolCapacity {

    private static final Logger LOG = LoggerFactory.getLogger(PoolCapacity.class);

    /** One pool's advert, reduced to what the node shows, with its quantities already checked. */
    private record Pool(String id, PoolState state, Instant expires, Map<String, String> capacity,
                        Map<String, String> allocatable) {
        boolean live(Instant now) {
            return state == PoolState.READY && expires.isAfter(now);
        }
    }

    /** What the node shows; {@link #update} reports whether an advert changed it. */
    private record View(Map<String, Quantity> capacity, Map<String, Quantity> allocatable, int readyPools) {
    }

    private final Clock clock;
    private final Map<String, Pool> pools = new TreeMap<>();

    /** Pools judged against the system clock when {@link #update} decides whether the node changed. */
    public PoolCapacity() {
        this(Clock.systemUTC());
    }

    public PoolCapacity(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Takes a pool's latest advert (it replaces the pool's previous one).
     *
     * @return true when what the node shows now (capacity, allocatable, ready pools) changed; a heartbeat that
     *         changes nothing returns false, so the caller writes the node only when it must
     */
    public synchronized boolean update(PoolAdvert advert) {
        Objects.requireNonNull(advert, "advert");
        Instant now = clock.instant();
        View before = view(now);
        Instant heartbeat = advert.getHeartbeatAt() == null ? Instant.EPOCH : advert.getHeartbeatAt();
        Instant expires = heartbeat.plusSeconds(Math.max(0, advert.getHeartbeatTtlSeconds()));
        pools.put(advert.getPoolId(), new Pool(advert.getPoolId(), advert.getState(), expires,
                checked(advert.getPoolId(), "capacity", advert.getCapacity()),
                checked(advert.getPoolId(), "allocatable", advert.getAllocatable())));
        return !before.equals(view(now));
    }

    /** Forgets a pool (its tombstone on the compacted topic: the executor retired it). */
    public synchronized void remove(String poolId) {
        pools.remove(poolId);
    }

    /** The summed capacity of the pools that are READY and fresh at {@code now}, by resource name. */
    public synchronized Map<String, Quantity> capacity(Instant now) {
        return sum(now, Pool::capacity);
    }

    /** The summed allocatable resources of the pools that are READY and fresh at {@code now}. */
    public synchronized Map<String, Quantity> allocatable(Instant now) {
        return sum(now, Pool::allocatable);
    }

    /** How many pools are READY and fresh at {@code now}. */
    public synchronized int readyPools(Instant now) {
        return (int) pools.values().stream().filter(p -> p.live(now)).count();
    }

    private View view(Instant now) {
        return new View(capacity(now), allocatable(now), readyPools(now));
    }

    private Map<String, Quantity> sum(Instant now, Function<Pool, Map<String, String>> resources) {
        Map<String, List<String>> terms = new TreeMap<>();
        // pools in id order, so the sum's format (taken from its first term) does not depend on arrival order
        for (Pool pool : pools.values()) {
            if (pool.live(now)) {
                resources.apply(pool).forEach((name, quantity) ->
                        terms.computeIfAbsent(name, k -> new ArrayList<>()).add(quantity));
            }
        }
        Map<String, Quantity> sums = new LinkedHashMap<>();
        terms.forEach((name, quantities) -> sums.put(name, new Quantity(Quantities.sum(quantities))));
        return Collections.unmodifiableMap(sums);
    }

    /** The advert's quantities that parse; one that does not is left out of the sums, loudly. */
    private static Map<String, String> checked(String poolId, String what, Map<String, String> quantities) {
        Map<String, String> valid = new TreeMap<>();
        if (quantities == null) {
            return valid;
        }
        quantities.forEach((name, quantity) -> {
            try {
                Quantities.parse(quantity);
                valid.put(name, quantity);
            } catch (IllegalArgumentException e) {
                LOG.warn("pool {} advertises {} {}={}, which is not a Kubernetes quantity: the virtual node leaves it "
                        + "out until the executor sends a valid one ({})", poolId, what, name, quantity, e.getMessage());
            }
        });
        return Collections.unmodifiableMap(valid);
    }
}
