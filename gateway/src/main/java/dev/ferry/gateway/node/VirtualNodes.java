package dev.ferry.gateway.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Node object a virtual node shows, built from its settings, its pools and whether Kafka answers: a pure
 * function, so what the node looks like is tested without an API server. {@link NodeKeeper} writes the result.
 *
 * <p>The node is tainted {@value #TAINT_KEY}{@code :NoSchedule}, so only pods that tolerate it (and ask for it)
 * land here; labels {@code type=virtual-kubelet} and {@code kubernetes.io/role=agent} are the ones Virtual Kubelet
 * and interLink nodes carry, so selectors written for those work unchanged.
 */
public final class VirtualNodes {

    /** Ferry's own taint; pods tolerate it to be offloaded. */
    public static final String TAINT_KEY = "virtual-node.ferry.dev/no-schedule";
    /** interLink's taint, added when {@link NodeSettings#interLinkTaint()} is set. */
    public static final String INTERLINK_TAINT_KEY = "virtual-node.interlink/no-schedule";
    /** The label that marks Ferry's virtual nodes. */
    public static final String VIRTUAL_NODE_LABEL = "ferry.dev/virtual-node";
    public static final String KUBELET_VERSION = "v1.32.0-ferry";

    public static final String READY = "Ready";
    public static final String REASON_READY = "FerryReady";
    public static final String REASON_KAFKA_UNREACHABLE = "KafkaUnreachable";

    /** Label keys every virtual node sets itself; {@link NodeSettings#extraLabels()} may not override them. */
    public static final Set<String> FIXED_LABEL_KEYS = Set.of("type", "kubernetes.io/role", VIRTUAL_NODE_LABEL,
            "kubernetes.io/hostname", "kubernetes.io/os");

    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX")
            .withZone(ZoneOffset.UTC);

    private VirtualNodes() {
    }

    /**
     * The whole Node: metadata (name, labels), spec (taints) and status (capacity, allocatable, conditions,
     * addresses, kubelet endpoint, node info). Conditions carry {@code now} as both heartbeat and transition time;
     * {@link #keepTransitionTimes} carries earlier transition times over.
     */
    public static Node build(NodeSettings s, PoolCapacity pools, boolean kafkaReachable, Instant now) {
        Objects.requireNonNull(s, "settings");
        Objects.requireNonNull(pools, "pools");
        Objects.requireNonNull(now, "now");
        return new NodeBuilder()
                .withNewMetadata().withName(s.name()).withLabels(labels(s)).endMetadata()
                .withNewSpec().withTaints(taints(s)).endSpec()
                .withStatus(status(s, pools, kafkaReachable, now))
                .build();
    }

    /** The labels a virtual node carries: the fixed ones, then the extra ones. */
    public static Map<String, String> labels(NodeSettings s) {
        Map<String, String> labels = new TreeMap<>();
        labels.put("type", "virtual-kubelet");
        labels.put("kubernetes.io/role", "agent");
        labels.put(VIRTUAL_NODE_LABEL, "true");
        labels.put("kubernetes.io/hostname", s.name());
        labels.put("kubernetes.io/os", "linux");
        labels.putAll(s.extraLabels());
        return labels;
    }

    /** Ferry's taint, and interLink's when asked for. */
    public static List<Taint> taints(NodeSettings s) {
        // one or the other: a pod must tolerate every NoSchedule taint of a node, and interLink's pods tolerate
        // only interLink's
        String key = s.interLinkTaint() ? INTERLINK_TAINT_KEY : TAINT_KEY;
        return List.of(new TaintBuilder().withKey(key).withEffect("NoSchedule").build());
    }

    /** Whether a taint is one that virtual nodes manage (so taking over a node replaces it). */
    public static boolean isVirtualNodeTaint(Taint taint) {
        return TAINT_KEY.equals(taint.getKey()) || INTERLINK_TAINT_KEY.equals(taint.getKey());
    }

    static NodeStatus status(NodeSettings s, PoolCapacity pools, boolean kafkaReachable, Instant now) {
        Map<String, Quantity> capacity = new LinkedHashMap<>(pools.capacity(now));
        Map<String, Quantity> allocatable = new LinkedHashMap<>(pools.allocatable(now));
        Quantity maxPods = new Quantity(Integer.toString(s.maxPods()));
        capacity.put("pods", maxPods);
        allocatable.put("pods", maxPods);
        int ready = pools.readyPools(now);
        String time = RFC3339.format(now.truncatedTo(ChronoUnit.SECONDS));
        NodeCondition readyCondition = kafkaReachable
                ? condition(READY, "True", REASON_READY, "Ferry gateway is ready: " + ready + " pool"
                        + (ready == 1 ? "" : "s") + " can take pods", time)
                : condition(READY, "False", REASON_KAFKA_UNREACHABLE, "the gateway cannot reach Kafka: pods bound to "
                        + "this node cannot be carried to a site or report status until it can", time);
        return new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
                .withCapacity(capacity)
                .withAllocatable(allocatable)
                .withConditions(readyCondition,
                        condition("MemoryPressure", "False", "FerryHasSufficientMemory",
                                "memory is managed by the sites' batch systems", time),
                        condition("DiskPressure", "False", "FerryHasNoDiskPressure",
                                "disk is managed by the sites' batch systems", time),
                        condition("PIDPressure", "False", "FerryHasSufficientPID",
                                "processes are managed by the sites' batch systems", time),
                        condition("NetworkUnavailable", "False", "FerryNetworkReady",
                                "pods run on the sites' networks", time))
                .addNewAddress().withType("InternalIP").withAddress(s.address()).endAddress()
                .addNewAddress().withType("Hostname").withAddress(s.name()).endAddress()
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(s.kubeletPort()).endKubeletEndpoint()
                .endDaemonEndpoints()
                .withNewNodeInfo()
                .withKubeletVersion(KUBELET_VERSION)
                .withKubeProxyVersion("")
                .withOperatingSystem("linux")
                .withArchitecture("amd64")
                .withOsImage("Ferry virtual node")
                .withKernelVersion("")
                .withContainerRuntimeVersion("ferry://" + KUBELET_VERSION)
                .withMachineID("")
                .withSystemUUID("")
                .withBootID("")
                .endNodeInfo()
                .build();
    }

    /**
     * {@code next} with each condition's {@code lastTransitionTime} taken from {@code previous} when the condition's
     * status did not change: a transition time says when the status last flipped, not when it was last written.
     */
    public static NodeStatus keepTransitionTimes(NodeStatus previous, NodeStatus next) {
        if (previous == null || previous.getConditions() == null) {
            return next;
        }
        List<NodeCondition> conditions = new ArrayList<>();
        for (NodeCondition condition : next.getConditions()) {
            NodeCondition kept = condition;
            for (NodeCondition old : previous.getConditions()) {
                if (old.getType().equals(condition.getType()) && Objects.equals(old.getStatus(), condition.getStatus())
                        && old.getLastTransitionTime() != null) {
                    kept = new NodeConditionBuilder(condition).withLastTransitionTime(old.getLastTransitionTime())
                            .build();
                }
            }
            conditions.add(kept);
        }
        return new io.fabric8.kubernetes.api.model.NodeStatusBuilder(next).withConditions(conditions).build();
    }

    /**
     * Whether two statuses show the same thing: capacity, allocatable, conditions (type, status, reason, message),
     * addresses and endpoint; heartbeat and transition times do not count, so a status that only needs a heartbeat is
     * written at {@link NodeSettings#statusEvery()}, not at every tick.
     */
    public static boolean sameShown(NodeStatus a, NodeStatus b) {
        if (a == null || b == null) {
            return a == b;
        }
        return Objects.equals(amounts(a.getCapacity()), amounts(b.getCapacity()))
                && Objects.equals(amounts(a.getAllocatable()), amounts(b.getAllocatable()))
                && Objects.equals(conditionTexts(a), conditionTexts(b))
                && Objects.equals(a.getAddresses(), b.getAddresses())
                && Objects.equals(a.getDaemonEndpoints(), b.getDaemonEndpoints());
    }

    private static Map<String, String> amounts(Map<String, Quantity> quantities) {
        Map<String, String> amounts = new TreeMap<>();
        if (quantities != null) {
            quantities.forEach((k, v) -> amounts.put(k, v.toString()));
        }
        return amounts;
    }

    private static List<String> conditionTexts(NodeStatus status) {
        List<String> texts = new ArrayList<>();
        if (status.getConditions() != null) {
            for (NodeCondition c : status.getConditions()) {
                texts.add(c.getType() + "=" + c.getStatus() + "/" + c.getReason() + "/" + c.getMessage());
            }
        }
        texts.sort(null);
        return texts;
    }

    private static NodeCondition condition(String type, String status, String reason, String message, String time) {
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastHeartbeatTime(time).withLastTransitionTime(time).build();
    }
}
