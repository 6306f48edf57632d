package dev.ferry.devkit.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The minimal scheduler and the binding subresource, with the real fabric8 client. */
@ExtendWith(DevApiServerExtension.class)
class ApiServerSchedulerIT {

    /** An interLink-style pod: no nodeName, a nodeSelector and a toleration for the virtual node's taint. */
    private static Pod virtualNodePod(String name) {
        return Fabric8.pod(name).editSpec().addToNodeSelector("type", "virtual-kubelet")
                .addNewToleration().withKey(Fabric8.VIRTUAL_TAINT).withOperator("Exists").withEffect("NoSchedule")
                .endToleration().endSpec().build();
    }

    private static PodCondition scheduled(Pod pod) {
        return pod.getStatus().getConditions().stream().filter(c -> c.getType().equals("PodScheduled"))
                .findFirst().orElse(null);
    }

    @Test
    void aPodWithANodeSelectorAndTolerationIsBoundToTheMatchingNode(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            client.nodes().resource(Fabric8.plainNode("worker")).create();
            client.nodes().resource(Fabric8.virtualNode("ferry-vk", 0)).create();

            client.pods().resource(virtualNodePod("hello")).create();
            client.pods().resource(Fabric8.pod("plain").build()).create();

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Pod hello = client.pods().withName("hello").get();
                assertThat(hello.getSpec().getNodeName()).isEqualTo("ferry-vk");
                assertThat(scheduled(hello).getStatus()).isEqualTo("True");
                assertThat(client.pods().withName("plain").get().getSpec().getNodeName())
                        .as("an ordinary pod does not tolerate the virtual node's taint").isEqualTo("worker");
            });
            List<Event> events = client.v1().events().withField("involvedObject.name", "hello").list().getItems();
            assertThat(events).extracting(Event::getReason, Event::getMessage)
                    .contains(org.assertj.core.groups.Tuple.tuple("Scheduled",
                            "Successfully assigned default/hello to ferry-vk"));
        }
    }

    @Test
    void aPodThatFitsNoNodeSaysWhyAndIsBoundWhenANodeChanges(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            client.nodes().resource(Fabric8.plainNode("worker")).create();
            client.nodes().resource(Fabric8.virtualNode("ferry-vk", 0)).create();
            // selects the virtual node, but does not tolerate its taint
            Pod intolerant = Fabric8.pod("intolerant").editSpec().addToNodeSelector("type", "virtual-kubelet")
                    .endSpec().build();
            client.pods().resource(intolerant).create();

            String expected = "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, "
                    + "1 node(s) had untolerated taint {virtual-node.ferry.dev/no-schedule: }. preemption: 0/2 "
                    + "nodes are available: 2 Preemption is not helpful for scheduling.";
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Pod pod = client.pods().withName("intolerant").get();
                assertThat(pod.getSpec().getNodeName()).isNull();
                assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
                PodCondition condition = scheduled(pod);
                assertThat(condition.getStatus()).isEqualTo("False");
                assertThat(condition.getReason()).isEqualTo("Unschedulable");
                assertThat(condition.getMessage()).isEqualTo(expected);
            });
            assertThat(client.v1().events().withField("involvedObject.name", "intolerant").list().getItems())
                    .extracting(Event::getReason).containsExactly("FailedScheduling");

            // the node changes (its taint goes): the scheduler tries again
            client.nodes().withName("ferry-vk").edit(n -> new NodeBuilder(n).editSpec().withTaints(List.of())
                    .endSpec().build());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.pods()
                    .withName("intolerant").get().getSpec().getNodeName()).isEqualTo("ferry-vk"));
        }
    }

    @Test
    void aNodeThatIsNotReadyTakesNoPods(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            client.nodes().resource(new NodeBuilder(Fabric8.virtualNode("ferry-vk", 0)).editStatus()
                    .editFirstCondition().withStatus("False").endCondition().endStatus().build()).create();
            client.pods().resource(virtualNodePod("waits")).create();

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(scheduled(client.pods()
                    .withName("waits").get()).getMessage()).startsWith("0/1 nodes are available: 1 node(s) had "
                    + "untolerated taint {node.kubernetes.io/not-ready: }."));

            client.nodes().withName("ferry-vk").editStatus(n -> new NodeBuilder(n).editStatus().editFirstCondition()
                    .withStatus("True").endCondition().endStatus().build());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.pods().withName("waits")
                    .get().getSpec().getNodeName()).isEqualTo("ferry-vk"));
        }
    }

    @Test
    void theBindingSubresourceBindsOnce() {
        try (DevApiServer api = DevApiServer.builder().scheduler(false).build().start();
             KubernetesClient client = Fabric8.client(api)) {
            client.pods().resource(Fabric8.pod("p").build()).create();
            client.bindings().resource(new BindingBuilder().withNewMetadata().withName("p").endMetadata()
                    .withNewTarget().withKind("Node").withName("node-a").endTarget().build()).create();

            Pod bound = client.pods().withName("p").get();
            assertThat(bound.getSpec().getNodeName()).isEqualTo("node-a");
            assertThat(scheduled(bound).getStatus()).isEqualTo("True");

            assertThatThrownBy(() -> client.bindings().resource(new BindingBuilder().withNewMetadata().withName("p")
                    .endMetadata().withNewTarget().withKind("Node").withName("node-b").endTarget().build()).create())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(409);
                        assertThat(e.getMessage()).contains("already assigned to node \"node-a\"");
                    });
        }
    }
}
