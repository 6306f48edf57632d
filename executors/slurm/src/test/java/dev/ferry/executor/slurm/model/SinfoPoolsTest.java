package dev.ferry.executor.slurm.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.executor.spi.PoolInfo;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SinfoPoolsTest {

    @Test
    void onePoolPerPartitionFromRealOutput() {
        // Slurm 22.05.8, the local test cluster
        List<PoolInfo> pools = SinfoPools.parse("debug*|localhost|8|12052|0|(null)|(null)|idle|0/8/0/8|infinite|up\n", List.of(), "gpu");
        assertThat(pools).singleElement().satisfies(p -> {
            assertThat(p.name()).isEqualTo("debug");
            assertThat(p.capacity()).containsEntry("cpu", "8").containsEntry("memory", "12052Mi").containsEntry("nvidia.com/gpu", "0");
            assertThat(p.allocatable()).containsEntry("cpu", "8");
            assertThat(p.state()).isEqualTo(PoolInfo.PoolCondition.READY);
            assertThat(p.maxWalltime()).isEmpty();
        });
    }

    @Test
    void gpusAllocationAndUnusableNodes() {
        String out = "gpu|n1|64|256000|128000|gpu:a100:4(S:0-1)|gpu:a100:1(IDX:0)|mixed|16/48/0/64|2-00:00:00|up\n"
                + "gpu|n2|64|256000|0|gpu:a100:4(S:0-1)|gpu:a100:0(IDX:N/A)|down*|0/0/64/64|2-00:00:00|up\n"
                + "cpu|n3|32|128000|0|(null)|(null)|drained|0/0/32/32|1:00:00|up\n"
                + "old|n4|32|128000|0|(null)|(null)|idle|0/32/0/32|1:00:00|drain\n";
        List<PoolInfo> pools = SinfoPools.parse(out, List.of(), "gpu");
        PoolInfo gpu = pools.get(0);
        assertThat(gpu.capacity()).containsEntry("cpu", "128").containsEntry("nvidia.com/gpu", "8");
        assertThat(gpu.allocatable()).containsEntry("cpu", "48").containsEntry("nvidia.com/gpu", "3").containsEntry("memory", "128000Mi");
        assertThat(gpu.maxWalltime()).contains(Duration.ofDays(2));
        assertThat(pools.get(1).state()).isEqualTo(PoolInfo.PoolCondition.DOWN);
        assertThat(pools.get(1).message()).contains("n3 drained");
        assertThat(pools.get(2).state()).isEqualTo(PoolInfo.PoolCondition.DRAINING);
        assertThat(SinfoPools.parse(out, List.of("cpu"), "gpu")).extracting(PoolInfo::name).containsExactly("cpu");
    }
}
