package dev.ferry.gateway.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.PoolState;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PoolCapacityTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private final PoolCapacity pools = new PoolCapacity(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void sumsEveryResourceOfTheReadyPoolsAsKubernetesQuantities() {
        pools.update(Pools.ready("pool-a", NOW).with("cpu", "500m").with("memory", "1Gi")
                .with("ephemeral-storage", "10Gi").with("nvidia.com/gpu", "1").advert());
        pools.update(Pools.ready("pool-b", NOW).with("cpu", "2").with("memory", "512Mi")
                .with("nvidia.com/gpu", "3").with("example.com/fpga", "2").advert());

        assertThat(amounts(pools.capacity(NOW))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "cpu", "2500m", "memory", "1536Mi", "ephemeral-storage", "10Gi", "nvidia.com/gpu", "4",
                "example.com/fpga", "2"));
        assertThat(pools.readyPools(NOW)).isEqualTo(2);
    }

    @Test
    void capacityAndAllocatableAreSummedApart() {
        pools.update(Pools.ready("pool-a", NOW).advert(Map.of("cpu", "64", "memory", "256Gi"),
                Map.of("cpu", "60", "memory", "240Gi")));
        pools.update(Pools.ready("pool-b", NOW).advert(Map.of("cpu", "8"), Map.of("cpu", "7500m")));

        assertThat(amounts(pools.capacity(NOW))).isEqualTo(Map.of("cpu", "72", "memory", "256Gi"));
        assertThat(amounts(pools.allocatable(NOW))).isEqualTo(Map.of("cpu", "67500m", "memory", "240Gi"));
    }

    @Test
    void aPoolCountsOnlyUntilItsHeartbeatExpires() {
        pools.update(Pools.ready("pool-a", NOW).ttlSeconds(30).with("cpu", "4").advert());
        pools.update(Pools.ready("pool-b", NOW.minusSeconds(50)).ttlSeconds(60).with("cpu", "1").advert());

        assertThat(amounts(pools.capacity(NOW))).isEqualTo(Map.of("cpu", "5"));
        assertThat(amounts(pools.capacity(NOW.plusSeconds(10)))).as("pool-b's advert expired at +10 s")
                .isEqualTo(Map.of("cpu", "4"));
        assertThat(pools.readyPools(NOW.plusSeconds(9))).isEqualTo(2);
        assertThat(pools.readyPools(NOW.plusSeconds(30))).isZero();
        assertThat(pools.capacity(NOW.plusSeconds(30))).isEmpty();
    }

    @Test
    void poolsThatAreDownDrainingOrUnknownDoNotCount() {
        pools.update(Pools.ready("up", NOW).with("cpu", "1").advert());
        pools.update(Pools.inState("down", PoolState.DOWN, NOW).with("cpu", "10").advert());
        pools.update(Pools.inState("draining", PoolState.DRAINING, NOW).with("cpu", "100").advert());
        pools.update(Pools.inState("unknown", PoolState.UNKNOWN, NOW).with("cpu", "1000").advert());

        assertThat(amounts(pools.capacity(NOW))).isEqualTo(Map.of("cpu", "1"));
        assertThat(pools.readyPools(NOW)).isEqualTo(1);
    }

    @Test
    void updateSaysWhetherWhatTheNodeShowsChanged() {
        assertThat(pools.update(Pools.ready("pool-a", NOW).with("cpu", "4").advert())).as("new pool").isTrue();
        assertThat(pools.update(Pools.ready("pool-a", NOW.plusSeconds(5)).with("cpu", "4").advert()))
                .as("a heartbeat alone").isFalse();
        assertThat(pools.update(Pools.ready("pool-a", NOW).with("cpu", "4000m").advert()))
                .as("the same amount written otherwise").isFalse();
        assertThat(pools.update(Pools.ready("pool-a", NOW).with("cpu", "8").advert())).as("more cpu").isTrue();
        assertThat(pools.update(Pools.inState("pool-a", PoolState.DOWN, NOW).with("cpu", "8").advert()))
                .as("went down").isTrue();
        assertThat(pools.update(Pools.inState("pool-b", PoolState.DOWN, NOW).with("cpu", "8").advert()))
                .as("another pool that is down").isFalse();
        assertThat(pools.update(Pools.ready("pool-c", NOW.minusSeconds(600)).with("cpu", "8").advert()))
                .as("a stale advert").isFalse();
        assertThat(pools.update(Pools.ready("pool-d", NOW).advert())).as("a ready pool with nothing to offer")
                .isTrue();
    }

    @Test
    void aTombstoneRemovesThePool() {
        pools.update(Pools.ready("pool-a", NOW).with("cpu", "4").advert());
        pools.update(Pools.ready("pool-b", NOW).with("cpu", "1").advert());

        pools.remove("pool-a");

        assertThat(amounts(pools.capacity(NOW))).isEqualTo(Map.of("cpu", "1"));
        assertThat(pools.readyPools(NOW)).isEqualTo(1);
    }

    @Test
    void aQuantityThatDoesNotParseIsLeftOutAndTheRestStillCounts() {
        pools.update(Pools.ready("pool-a", NOW).with("cpu", "lots").with("memory", "2Gi").advert());
        pools.update(Pools.ready("pool-b", NOW).with("cpu", "2").advert());

        assertThat(amounts(pools.capacity(NOW))).isEqualTo(Map.of("cpu", "2", "memory", "2Gi"));
    }

    private static Map<String, String> amounts(Map<String, Quantity> quantities) {
        Map<String, String> amounts = new TreeMap<>();
        quantities.forEach((k, v) -> amounts.put(k, v.toString()));
        return amounts;
    }
}
