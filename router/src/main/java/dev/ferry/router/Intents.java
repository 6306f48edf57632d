package dev.ferry.router;

import dev.ferry.events.PodIntent;
import dev.ferry.router.avro.RoutingContainer;
import dev.ferry.router.avro.RoutingIntent;
import dev.ferry.router.avro.RoutingOperation;
import dev.ferry.router.avro.RoutingRequirement;
import dev.ferry.router.avro.RoutingSpec;
import dev.ferry.router.avro.RoutingTerm;
import dev.ferry.router.avro.RoutingToleration;
import dev.ferry.router.model.InvalidQuantityException;
import dev.ferry.router.model.LabelRequirement;
import dev.ferry.router.model.NodeSelectorTerm;
import dev.ferry.router.model.PodRequirements;
import dev.ferry.router.model.Quantity;
import dev.ferry.router.model.Resources;
import dev.ferry.router.model.Toleration;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Reads a pod intent into the router's {@link PodRequirements}, validating it. It reads the {@link RoutingIntent}
 * projection of {@link PodIntent}, which is all the routing side decodes of an intent.
 */
public final class Intents {

    /**
     * Annotation prefixes that tie a pod to a backend: interLink's plugins' ({@code slurm-job.vk.io/},
     * KNoC's {@code htcondor-job.knoc.io/}) and Ferry's own HTCondor one ({@code htcondor-job.ferry.dev/submit}).
     */
    static final Map<String, String> BACKEND_ANNOTATION_PREFIXES = Map.of(
            "slurm-job.vk.io/", "SLURM",
            "htcondor-job.knoc.io/", "HTCONDOR",
            "htcondor-job.ferry.dev/", "HTCONDOR");

    private Intents() {
    }

    /**
     * The requirements of a CREATE intent.
     *
     * @throws InvalidIntentException naming the field when the intent cannot be run anywhere as written
     */
    public static PodRequirements requirements(PodIntent intent) {
        return requirements(IntentBytes.routing(intent));
    }

    /**
     * The requirements of a CREATE intent, from the fields routing reads.
     *
     * @throws InvalidIntentException naming the field when the intent cannot be run anywhere as written
     */
    static PodRequirements requirements(RoutingIntent intent) {
        if (intent.getOperation() != RoutingOperation.CREATE) {
            throw new InvalidIntentException("operation " + intent.getOperation() + " has no pod to route");
        }
        RoutingSpec spec = intent.getSpec();
        if (spec == null) {
            throw new InvalidIntentException("spec: a CREATE intent must carry the pod's spec");
        }
        if (spec.getContainers().isEmpty()) {
            throw new InvalidIntentException("spec.containers is empty: a pod needs at least one container");
        }
        Resources sum = Resources.NONE;
        for (int i = 0; i < spec.getContainers().size(); i++) {
            sum = sum.plus(containerRequest(spec.getContainers().get(i), "spec.containers", i));
        }
        Resources largestInit = Resources.NONE;
        for (int i = 0; i < spec.getInitContainers().size(); i++) {
            largestInit = largestInit.max(containerRequest(spec.getInitContainers().get(i), "spec.initContainers", i));
        }
        Long deadline = spec.getActiveDeadlineSeconds();
        if (deadline != null && deadline <= 0) {
            throw new InvalidIntentException("spec.activeDeadlineSeconds must be positive, was " + deadline);
        }
        String backend = null;
        String because = "";
        // sorted, so the annotation named in messages does not depend on the map's order; most pods have none
        for (String key : backendAnnotations(intent.getAnnotations())) {
            for (Map.Entry<String, String> prefix : BACKEND_ANNOTATION_PREFIXES.entrySet()) {
                if (key.startsWith(prefix.getKey())) {
                    if (backend != null && !backend.equals(prefix.getValue())) {
                        throw new InvalidIntentException("metadata.annotations ask for two backends: " + because
                                + " needs " + backend + ", " + key + " needs " + prefix.getValue());
                    }
                    if (backend == null) {
                        backend = prefix.getValue();
                        because = key;
                    }
                }
            }
        }
        List<Toleration> tolerations = new ArrayList<>(spec.getTolerations().size());
        for (RoutingToleration t : spec.getTolerations()) {
            String operator = t.getOperator();
            if (!operator.equals(Toleration.EQUAL) && !operator.equals(Toleration.EXISTS)) {
                throw new InvalidIntentException("spec.tolerations[" + tolerations.size()
                        + "].operator must be Equal or Exists, was " + operator);
            }
            tolerations.add(new Toleration(t.getKey(), operator, t.getValue(), t.getEffect()));
        }
        return new PodRequirements(
                intent.getPod().getNamespace(),
                sum.max(largestInit),
                spec.getNodeSelector(),
                affinity(spec.getRequiredNodeAffinity()),
                tolerations,
                Optional.ofNullable(backend),
                because,
                deadline == null ? OptionalLong.empty() : OptionalLong.of(deadline),
                spec.getPriority() == null ? 0 : spec.getPriority());
    }

    private static Iterable<String> backendAnnotations(Map<String, String> annotations) {
        List<String> keys = new ArrayList<>(1);
        for (String key : annotations.keySet()) {
            for (String prefix : BACKEND_ANNOTATION_PREFIXES.keySet()) {
                if (key.startsWith(prefix)) {
                    keys.add(key);
                    break;
                }
            }
        }
        keys.sort(null);
        return keys;
    }

    /**
     * Per resource, the request, else the limit (Kubernetes defaults a missing request to the limit). The container's
     * path in messages ({@code spec.containers[0] (main)}) is only put together for a message.
     */
    private static Resources containerRequest(RoutingContainer container, String list, int index) {
        Map<String, BigDecimal> requests = quantities(container, list, index, container.getRequests(), "requests");
        if (container.getLimits().isEmpty()) {
            return Resources.of(requests);
        }
        Map<String, BigDecimal> limits = quantities(container, list, index, container.getLimits(), "limits");
        Map<String, BigDecimal> effective = new TreeMap<>(limits);
        effective.putAll(requests);
        requests.forEach((name, request) -> {
            BigDecimal limit = limits.get(name);
            if (limit != null && request.compareTo(limit) > 0) {
                throw new InvalidIntentException(where(container, list, index) + ".resources: requests." + name + "="
                        + container.getRequests().get(name) + " exceeds limits." + name + "=" + container.getLimits().get(name));
            }
        });
        return Resources.of(effective);
    }

    private static Map<String, BigDecimal> quantities(RoutingContainer container, String list, int index,
                                                      Map<String, String> texts, String kind) {
        Map<String, BigDecimal> parsed = new HashMap<>();
        texts.forEach((name, text) -> {
            if (name.isBlank()) {
                throw new InvalidIntentException(where(container, list, index) + ".resources." + kind
                        + " has a resource with an empty name");
            }
            try {
                parsed.put(name, Quantity.parseResource(text).value());
            } catch (InvalidQuantityException e) {
                throw new InvalidIntentException(where(container, list, index) + ".resources." + kind + "." + name
                        + ": " + e.getMessage() + " (write a non-negative quantity such as 500m, 2Gi, 1.5 or 1e3)");
            }
        });
        return parsed;
    }

    private static String where(RoutingContainer container, String list, int index) {
        return list + "[" + index + "] (" + container.getName() + ")";
    }

    private static List<NodeSelectorTerm> affinity(List<RoutingTerm> terms) {
        List<NodeSelectorTerm> result = new ArrayList<>();
        for (int i = 0; i < terms.size(); i++) {
            String path = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[" + i + "]";
            result.add(new NodeSelectorTerm(
                    requirements(terms.get(i).getMatchExpressions(), path + ".matchExpressions"),
                    requirements(terms.get(i).getMatchFields(), path + ".matchFields")));
        }
        return result;
    }

    private static List<LabelRequirement> requirements(List<RoutingRequirement> raw, String path) {
        List<LabelRequirement> result = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            RoutingRequirement r = raw.get(i);
            String where = path + "[" + i + "]";
            LabelRequirement.Operator operator;
            try {
                operator = LabelRequirement.Operator.valueOf(r.getOperator());
            } catch (IllegalArgumentException e) {
                throw new InvalidIntentException(where + ".operator must be one of In, NotIn, Exists, DoesNotExist, "
                        + "Gt, Lt, was '" + r.getOperator() + "'");
            }
            List<String> values = List.copyOf(r.getValues());
            switch (operator) {
                case In, NotIn -> {
                    if (values.isEmpty()) {
                        throw new InvalidIntentException(where + ": " + operator + " needs at least one value");
                    }
                }
                case Exists, DoesNotExist -> {
                    if (!values.isEmpty()) {
                        throw new InvalidIntentException(where + ": " + operator + " takes no values, got " + values);
                    }
                }
                case Gt, Lt -> {
                    if (values.size() != 1 || !values.get(0).matches("-?\\d{1,18}")) {
                        throw new InvalidIntentException(where + ": " + operator + " needs exactly one integer value, got "
                                + values);
                    }
                }
                default -> throw new IllegalStateException(operator.name());
            }
            if (path.endsWith("matchFields") && !NodeSelectorTerm.NAME_FIELD.equals(r.getKey())) {
                throw new InvalidIntentException(where + ".key: only metadata.name can be matched as a field, was '"
                        + r.getKey() + "'");
            }
            result.add(new LabelRequirement(r.getKey(), operator, values));
        }
        return result;
    }
}
