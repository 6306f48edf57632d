package dev.ferry.devkit.apiserver;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;
import java.util.Map;

/** The real fabric8 client against a {@link DevApiServer}, and the objects the tests create. */
final class Fabric8 {

    static final String VIRTUAL_TAINT = "virtual-node.ferry.dev/no-schedule";

    private Fabric8() {
    }

    /** A client as the gateway configures one for the development server: HTTP watches, no retries. */
    static KubernetesClient client(DevApiServer api) {
        return client(api, true);
    }

    static KubernetesClient client(DevApiServer api, boolean onlyHttpWatches) {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(api.url())
                .withNamespace("default")
                .withOnlyHttpWatches(onlyHttpWatches)
                .withRequestRetryBackoffLimit(0)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** A pod with one container and nothing else: it waits for the scheduler. */
    static PodBuilder pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("busybox:1.36")
                .withCommand("echo", "hello").endContainer().endSpec();
    }

    /** A pod already bound to a node (as if scheduled). */
    static Pod podOn(String name, String node) {
        return pod(name).editSpec().withNodeName(node).endSpec().build();
    }

    /** A Ready node with capacity, an InternalIP, and optionally a kubelet endpoint (port 0: none). */
    static NodeBuilder node(String name, Map<String, String> labels, List<Taint> taints, int kubeletPort) {
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity("8"), "memory", new Quantity("32Gi"),
                "pods", new Quantity("110"));
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withTaints(taints).endSpec()
                .withNewStatus().withCapacity(capacity).withAllocatable(capacity)
                .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady").endCondition()
                .addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress()
                .withNewNodeInfo().withKubeletVersion("v1.32.0-ferry").endNodeInfo()
                .endStatus();
        if (kubeletPort > 0) {
            node.editStatus().withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(kubeletPort)
                    .endKubeletEndpoint().endDaemonEndpoints().endStatus();
        }
        return node;
    }

    static Node plainNode(String name) {
        return node(name, Map.of("kubernetes.io/hostname", name), List.of(), 0).build();
    }

    /** A virtual node as the gateway registers it: labelled and tainted NoSchedule. */
    static Node virtualNode(String name, int kubeletPort) {
        return node(name, Map.of("type", "virtual-kubelet", "kubernetes.io/role", "agent",
                        "ferry.dev/virtual-node", "true"),
                List.of(new Taint("NoSchedule", VIRTUAL_TAINT, null, null)), kubeletPort).build();
    }
}
