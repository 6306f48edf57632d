package dev.ferry.devkit.apiserver.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.devkit.apiserver.model.ApiException.Cause;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What a real API server does to pods beside storing them: defaults, QoS class, and which spec fields may change. */
public final class PodRules {

    public static final String DEFAULT_SCHEDULER = "default-scheduler";
    static final String IMMUTABLE_MESSAGE = "Forbidden: pod updates may not change fields other than "
            + "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
            + "`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
            + "(allow it to be set to 1 if it was previously negative)";

    private PodRules() {
    }

    /** Applies the defaults Kubernetes' defaulting functions apply to a pod spec (those anyone reads). */
    public static void applyDefaults(ObjectNode pod) {
        ObjectNode spec = Json.with(pod, "spec");
        putIfAbsent(spec, "restartPolicy", "Always");
        putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
        putIfAbsent(spec, "schedulerName", DEFAULT_SCHEDULER);
        if (!spec.has("terminationGracePeriodSeconds")) {
            spec.put("terminationGracePeriodSeconds", 30);
        }
        if (!spec.has("securityContext")) {
            spec.putObject("securityContext");
        }
        if (!spec.has("priority")) {
            spec.put("priority", 0);
        }
        for (String list : new String[] {"initContainers", "containers"}) {
            JsonNode containers = spec.get(list);
            if (containers instanceof ArrayNode array) {
                for (JsonNode container : array) {
                    if (container instanceof ObjectNode c) {
                        putIfAbsent(c, "terminationMessagePath", "/dev/termination-log");
                        putIfAbsent(c, "terminationMessagePolicy", "File");
                        putIfAbsent(c, "imagePullPolicy", pullPolicy(Json.text(c, "image")));
                        if (!c.has("resources")) {
                            c.putObject("resources");
                        }
                    }
                }
            }
        }
    }

    private static String pullPolicy(String image) {
        String last = image.substring(image.lastIndexOf('/') + 1);
        if (last.contains("@")) {
            return "IfNotPresent";
        }
        int colon = last.lastIndexOf(':');
        return colon < 0 || last.substring(colon + 1).equals("latest") ? "Always" : "IfNotPresent";
    }

    private static void putIfAbsent(ObjectNode node, String field, String value) {
        if (!node.hasNonNull(field)) {
            node.put(field, value);
        }
    }

    /** The pod's QoS class: Guaranteed, Burstable or BestEffort, from its containers' requests and limits. */
    public static String qosClass(JsonNode pod) {
        boolean anySet = false;
        boolean guaranteed = true;
        for (String list : new String[] {"initContainers", "containers"}) {
            JsonNode containers = Json.at(pod, "spec." + list);
            if (containers == null || !containers.isArray()) {
                continue;
            }
            for (JsonNode container : containers) {
                Map<String, String> requests = LabelSelector.stringMap(Json.at(container, "resources.requests"));
                Map<String, String> limits = LabelSelector.stringMap(Json.at(container, "resources.limits"));
                for (String resource : new String[] {"cpu", "memory"}) {
                    String request = requests.get(resource);
                    String limit = limits.get(resource);
                    if (request != null || limit != null) {
                        anySet = true;
                    }
                    String effectiveRequest = request != null ? request : limit;
                    if (limit == null || Quantity.parseOrZero(effectiveRequest)
                            .compareTo(Quantity.parseOrZero(limit)) != 0) {
                        guaranteed = false;
                    }
                }
            }
        }
        if (!anySet) {
            return "BestEffort";
        }
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    /** The status every new pod starts with, whatever the create sent. */
    public static ObjectNode initialStatus(JsonNode pod) {
        ObjectNode status = Json.object();
        status.put("phase", "Pending");
        status.put("qosClass", qosClass(pod));
        return status;
    }

    /**
     * Checks a main-resource update of a pod: only images, the active deadline, tolerations and the grace period
     * may change, as in Kubernetes' {@code ValidatePodUpdate}.
     */
    public static List<Cause> checkSpecUpdate(JsonNode oldPod, JsonNode newPod) {
        JsonNode oldSpec = mutableFieldsCleared(oldPod.get("spec"));
        JsonNode newSpec = mutableFieldsCleared(newPod.get("spec"));
        if (oldSpec.equals(newSpec)) {
            return List.of();
        }
        return List.of(new Cause("FieldValueForbidden", IMMUTABLE_MESSAGE, "spec"));
    }

    private static JsonNode mutableFieldsCleared(JsonNode spec) {
        ObjectNode copy = spec instanceof ObjectNode o ? o.deepCopy() : Json.object();
        copy.remove("activeDeadlineSeconds");
        copy.remove("tolerations");
        copy.remove("terminationGracePeriodSeconds");
        copy.remove("schedulingGates");
        for (String list : new String[] {"initContainers", "containers"}) {
            JsonNode containers = copy.get(list);
            if (containers instanceof ArrayNode array) {
                array.forEach(c -> {
                    if (c instanceof ObjectNode container) {
                        container.remove("image");
                    }
                });
            }
        }
        return copy;
    }

    /**
     * What a pod asks of a node: the larger of its containers' summed requests and any single init container's,
     * plus its overhead, as the scheduler's resource fit computes it.
     */
    public static Map<String, BigDecimal> requests(JsonNode pod) {
        Map<String, BigDecimal> sum = new HashMap<>();
        JsonNode containers = Json.at(pod, "spec.containers");
        if (containers != null && containers.isArray()) {
            for (JsonNode container : containers) {
                addAll(sum, Json.at(container, "resources.requests"), false);
            }
        }
        JsonNode inits = Json.at(pod, "spec.initContainers");
        if (inits != null && inits.isArray()) {
            for (JsonNode container : inits) {
                addAll(sum, Json.at(container, "resources.requests"), true);
            }
        }
        addAll(sum, Json.at(pod, "spec.overhead"), false);
        return sum;
    }

    private static void addAll(Map<String, BigDecimal> sum, JsonNode requests, boolean max) {
        LabelSelector.stringMap(requests).forEach((resource, value) -> {
            BigDecimal quantity = Quantity.parseOrZero(value);
            sum.merge(resource, quantity, max ? BigDecimal::max : BigDecimal::add);
        });
    }

    /** Whether the pod has finished (Succeeded or Failed) and so no longer holds resources on its node. */
    public static boolean isTerminal(JsonNode pod) {
        String phase = Json.text(pod, "status.phase");
        return phase.equals("Succeeded") || phase.equals("Failed");
    }
}
