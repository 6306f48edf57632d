package dev.ferry.gateway.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.Taint;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class VirtualNodesTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00.250Z");

    private final PoolCapacity pools = new PoolCapacity(Clock.fixed(NOW, ZoneOffset.UTC));
    private final NodeSettings settings = NodeSettings.defaults("ferry-vk").withAddress("10.1.2.3", 10255)
            .withExtraLabels(Map.of("ferry.dev/site", "site-a")).withMaxPods(250);

    @Test
    void labelsTaintAndAddressesMakeAVirtualKubeletNode() {
        Node node = VirtualNodes.build(settings, pools, true, NOW);

        assertThat(node.getMetadata().getName()).isEqualTo("ferry-vk");
        assertThat(node.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "type", "virtual-kubelet", "kubernetes.io/role", "agent", "ferry.dev/virtual-node", "true",
                "kubernetes.io/hostname", "ferry-vk", "kubernetes.io/os", "linux", "ferry.dev/site", "site-a"));
        assertThat(node.getSpec().getTaints()).extracting(Taint::getKey, Taint::getEffect, Taint::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("virtual-node.ferry.dev/no-schedule",
                        "NoSchedule", null));
        assertThat(node.getStatus().getAddresses()).extracting(a -> a.getType() + "=" + a.getAddress())
                .containsExactly("InternalIP=10.1.2.3", "Hostname=ferry-vk");
        assertThat(node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort()).isEqualTo(10255);
        assertThat(node.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo("v1.32.0-ferry");
        assertThat(node.getStatus().getNodeInfo().getOperatingSystem()).isEqualTo("linux");
        assertThat(node.getStatus().getNodeInfo().getArchitecture()).isEqualTo("amd64");
    }

    @Test
    void anInterLinkNodeCarriesInterLinksTaintInsteadOfFerrys() {
        Node node = VirtualNodes.build(settings.withInterLinkTaint(true), pools, true, NOW);

        // both would need pods to tolerate both: interLink's pods tolerate only theirs
        assertThat(node.getSpec().getTaints()).extracting(Taint::getKey).containsExactly(
                "virtual-node.interlink/no-schedule");
        assertThat(node.getSpec().getTaints()).extracting(Taint::getEffect).containsOnly("NoSchedule");
    }

    @Test
    void capacityIsThePoolsSumPlusPods() {
        pools.update(Pools.ready("pool-a", NOW).with("cpu", "500m").with("memory", "1Gi").advert());
        pools.update(Pools.ready("pool-b", NOW).advert(Map.of("cpu", "2", "nvidia.com/gpu", "2"),
                Map.of("cpu", "1", "nvidia.com/gpu", "2")));

        NodeStatus status = VirtualNodes.build(settings, pools, true, NOW).getStatus();

        assertThat(amounts(status)).isEqualTo(Map.of("cpu", "2500m", "memory", "1Gi", "nvidia.com/gpu", "2",
                "pods", "250"));
        Map<String, String> allocatable = new TreeMap<>();
        status.getAllocatable().forEach((k, v) -> allocatable.put(k, v.toString()));
        assertThat(allocatable).isEqualTo(Map.of("cpu", "1500m", "memory", "1Gi", "nvidia.com/gpu", "2",
                "pods", "250"));
    }

    @Test
    void readyWhileKafkaAnswersAndNoPressureEver() {
        NodeStatus status = VirtualNodes.build(settings, pools, true, NOW).getStatus();

        assertThat(status.getConditions()).extracting(NodeCondition::getType, NodeCondition::getStatus)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("Ready", "True"),
                        org.assertj.core.groups.Tuple.tuple("MemoryPressure", "False"),
                        org.assertj.core.groups.Tuple.tuple("DiskPressure", "False"),
                        org.assertj.core.groups.Tuple.tuple("PIDPressure", "False"),
                        org.assertj.core.groups.Tuple.tuple("NetworkUnavailable", "False"));
        NodeCondition ready = ready(status);
        assertThat(ready.getReason()).isEqualTo("FerryReady");
        assertThat(ready.getLastHeartbeatTime()).isEqualTo("2026-03-01T12:00:00Z");
    }

    @Test
    void notReadyWithAReasonWhenKafkaIsUnreachable() {
        NodeCondition ready = ready(VirtualNodes.build(settings, pools, false, NOW).getStatus());

        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("KafkaUnreachable");
        assertThat(ready.getMessage()).contains("cannot reach Kafka");
    }

    @Test
    void transitionTimesSurviveRewritesOfTheSameStatus() {
        NodeStatus first = VirtualNodes.build(settings, pools, true, NOW).getStatus();
        NodeStatus later = VirtualNodes.build(settings, pools, true, NOW.plus(Duration.ofMinutes(2))).getStatus();
        NodeStatus down = VirtualNodes.build(settings, pools, false, NOW.plus(Duration.ofMinutes(3))).getStatus();

        NodeStatus kept = VirtualNodes.keepTransitionTimes(first, later);
        assertThat(ready(kept).getLastTransitionTime()).isEqualTo("2026-03-01T12:00:00Z");
        assertThat(ready(kept).getLastHeartbeatTime()).isEqualTo("2026-03-01T12:02:00Z");
        assertThat(ready(VirtualNodes.keepTransitionTimes(kept, down)).getLastTransitionTime())
                .isEqualTo("2026-03-01T12:03:00Z");
        assertThat(VirtualNodes.sameShown(first, later)).as("only times differ").isTrue();
        assertThat(VirtualNodes.sameShown(first, down)).isFalse();
    }

    private static NodeCondition ready(NodeStatus status) {
        return status.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
    }

    private static Map<String, String> amounts(NodeStatus status) {
        Map<String, String> amounts = new TreeMap<>();
        status.getCapacity().forEach((k, v) -> amounts.put(k, v.toString()));
        return amounts;
    }
}
