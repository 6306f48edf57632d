package dev.ferry.gateway.node;

import dev.ferry.events.Backend;
import dev.ferry.events.PoolAdvert;
import dev.ferry.events.PoolState;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/** Pool adverts for tests: {@code Pools.ready("pool-a", now).with("cpu", "2").advert()}. */
final class Pools {

    private final PoolAdvert.Builder advert;
    private final Map<String, String> resources = new LinkedHashMap<>();

    private Pools(String poolId, PoolState state, Instant heartbeat) {
        advert = PoolAdvert.newBuilder().setPoolId(poolId).setSite("site-a").setBackend(Backend.SLURM)
                .setState(state).setHeartbeatAt(heartbeat.truncatedTo(ChronoUnit.MILLIS)).setHeartbeatTtlSeconds(60);
    }

    static Pools ready(String poolId, Instant heartbeat) {
        return new Pools(poolId, PoolState.READY, heartbeat);
    }

    static Pools inState(String poolId, PoolState state, Instant heartbeat) {
        return new Pools(poolId, state, heartbeat);
    }

    /** Capacity and allocatable both. */
    Pools with(String resource, String quantity) {
        resources.put(resource, quantity);
        return this;
    }

    Pools ttlSeconds(int seconds) {
        advert.setHeartbeatTtlSeconds(seconds);
        return this;
    }

    PoolAdvert advert() {
        return advert.setCapacity(resources).setAllocatable(resources).build();
    }

    PoolAdvert advert(Map<String, String> capacity, Map<String, String> allocatable) {
        return advert.setCapacity(capacity).setAllocatable(allocatable).build();
    }
}
