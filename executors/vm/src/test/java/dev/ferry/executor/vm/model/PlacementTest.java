package dev.ferry.executor.vm.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementTest {

    static final long GI = 1L << 30;

    @Test
    void theRoomiestHostThatFitsWins() {
        List<Placement.Candidate> hosts = List.of(
                new Placement.Candidate("a", new Resources(8000, 32 * GI, 0), new Resources(6000, 4 * GI, 0)),
                new Placement.Candidate("b", new Resources(8000, 32 * GI, 0), new Resources(1000, 4 * GI, 0)),
                new Placement.Candidate("gpu", new Resources(16000, 64 * GI, 1), new Resources(0, 0, 0)));
        assertThat(Placement.choose(hosts, new Resources(2000, GI, 0)).host()).contains("gpu");
        assertThat(Placement.choose(hosts, new Resources(2000, GI, 1)).host()).contains("gpu");
        assertThat(Placement.choose(hosts.subList(0, 2), new Resources(2000, GI, 0)).host()).contains("b");
    }

    @Test
    void whenNothingHasRoomTheLeastLoadedBigEnoughHostIsOvercommitted() {
        List<Placement.Candidate> hosts = List.of(
                new Placement.Candidate("a", new Resources(4000, 8 * GI, 0), new Resources(4000, 8 * GI, 0)),
                new Placement.Candidate("b", new Resources(4000, 8 * GI, 0), new Resources(3000, 2 * GI, 0)));
        Placement.Choice choice = Placement.choose(hosts, new Resources(2000, GI, 0));
        assertThat(choice.host()).contains("b");
        assertThat(choice.reason()).startsWith("overcommitted");
    }

    @Test
    void aPodBiggerThanEveryHostCanNeverRunThere() {
        Placement.Choice choice = Placement.choose(List.of(new Placement.Candidate("a", new Resources(4000, 8 * GI, 0), Resources.NONE)),
                new Resources(12000, GI, 0));
        assertThat(choice.host()).isEmpty();
        assertThat(choice.reason()).isEqualTo("the pod requests 12 CPUs, 1024 MiB memory, 0 GPUs but the largest host (a) has 4 CPUs, 8192 MiB memory, 0 GPUs");
        assertThat(Placement.choose(List.of(), Resources.NONE).reason()).isEqualTo("no host of the pool is reachable");
    }
}
