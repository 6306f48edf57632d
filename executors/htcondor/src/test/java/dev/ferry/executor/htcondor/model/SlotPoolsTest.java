package dev.ferry.executor.htcondor.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.executor.spi.PoolInfo;
import dev.ferry.executor.spi.PoolInfo.PoolCondition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlotPoolsTest {

    static JobAd slot(String name, String type, String state, int cpus, int memory, int gpus) {
        return JobAd.of(Map.of("Name", name, "Machine", name.substring(name.indexOf('@') + 1), "SlotType", type, "State", state,
                "Cpus", cpus, "Memory", memory, "GPUs", gpus));
    }

    @Test
    void staticSlotsCountAsCapacityAndAsAllocatableWhileUnclaimed() {
        PoolInfo pool = SlotPools.pool("static", List.of(slot("slot1@a", "Static", "Unclaimed", 4, 8192, 1),
                slot("slot2@a", "Static", "Claimed", 4, 8192, 0), slot("slot1@b", "Static", "Owner", 2, 1024, 0)));
        assertThat(pool.capacity()).containsEntry("cpu", "10").containsEntry("memory", "17408Mi").containsEntry("nvidia.com/gpu", "1")
                .containsEntry("slots", "3");
        assertThat(pool.allocatable()).containsEntry("cpu", "4").containsEntry("memory", "8192Mi").containsEntry("nvidia.com/gpu", "1")
                .containsEntry("slots", "1");
        assertThat(pool.labels()).containsEntry("htcondor.ferry.dev/machines", "2");
        assertThat(pool.state()).isEqualTo(PoolCondition.READY);
    }

    @Test
    void aPoolWithoutSlotsIsDownAndOneWhoseSlotsTakeNothingIsDraining() {
        PoolInfo none = SlotPools.pool("gpu", List.of());
        assertThat(none.state()).isEqualTo(PoolCondition.DOWN);
        assertThat(none.message()).isEqualTo("no slot of the HTCondor pool matches pool gpu");
        PoolInfo owned = SlotPools.pool("desktops", List.of(slot("slot1@desk", "Static", "Owner", 4, 4096, 0)));
        assertThat(owned.state()).isEqualTo(PoolCondition.DRAINING);
        assertThat(owned.message()).contains("slot1@desk Owner");
    }
}
