package dev.ferry.devkit.apiserver.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where a pod fits, decided as kube-scheduler's default filters decide it, in their order: NodeUnschedulable,
 * TaintToleration (NoSchedule and NoExecute), NodeAffinity (nodeSelector and required node affinity), and
 * NodeResourcesFit (requests against allocatable, counting the non-terminal pods already bound). A node whose
 * Ready condition is not True counts as tainted {@code node.kubernetes.io/not-ready:NoSchedule} (or
 * {@code node.kubernetes.io/unreachable:NoSchedule} when Unknown), as the node lifecycle controller would taint it.
 * Among fitting nodes the one with the fewest pods wins (then the name), a stand-in for the scheduler's scoring.
 */
public final class SchedulerFit {

    public static final String NOT_READY_TAINT = "node.kubernetes.io/not-ready";
    public static final String UNREACHABLE_TAINT = "node.kubernetes.io/unreachable";
    public static final String UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable";

    /** The outcome for one pod: the chosen node, or the message explaining why none fits. */
    public record Result(Optional<String> node, String message) {
    }

    /** A taint: key, value, effect. */
    record Taint(String key, String value, String effect) {
    }

    private SchedulerFit() {
    }

    /**
     * Decides where {@code pod} goes.
     *
     * @param nodes     every node
     * @param boundPods every pod that has a {@code spec.nodeName}
     */
    public static Result schedule(JsonNode pod, Collection<? extends JsonNode> nodes,
                                  Collection<? extends JsonNode> boundPods) {
        if (nodes.isEmpty()) {
            return new Result(Optional.empty(), "no nodes available to schedule pods");
        }
        Map<String, List<JsonNode>> podsByNode = new TreeMap<>();
        for (JsonNode bound : boundPods) {
            if (!PodRules.isTerminal(bound)) {
                podsByNode.computeIfAbsent(Json.text(bound, "spec.nodeName"), n -> new ArrayList<>()).add(bound);
            }
        }
        Map<String, Integer> reasons = new TreeMap<>();
        List<JsonNode> fitting = new ArrayList<>();
        for (JsonNode node : nodes) {
            List<String> why = filter(pod, node, podsByNode.getOrDefault(Json.name(node), List.of()));
            if (why.isEmpty()) {
                fitting.add(node);
            } else {
                why.forEach(reason -> reasons.merge(reason, 1, Integer::sum));
            }
        }
        if (!fitting.isEmpty()) {
            JsonNode chosen = fitting.stream().min(Comparator
                    .comparingInt((JsonNode n) -> podsByNode.getOrDefault(Json.name(n), List.of()).size())
                    .thenComparing(Json::name)).orElseThrow();
            return new Result(Optional.of(Json.name(chosen)), "");
        }
        List<String> parts = new ArrayList<>();
        reasons.forEach((reason, count) -> parts.add(count + " " + reason));
        parts.sort(null);
        int total = nodes.size();
        String message = "0/" + total + " nodes are available: " + String.join(", ", parts) + ". preemption: 0/"
                + total + " nodes are available: " + total + " Preemption is not helpful for scheduling.";
        return new Result(Optional.empty(), message);
    }

    /** The reasons one node is filtered out for the pod, in the scheduler's wording; empty when it fits. */
    public static List<String> filter(JsonNode pod, JsonNode node, List<JsonNode> podsOnNode) {
        List<Taint> taints = effectiveTaints(node);
        List<JsonNode> tolerations = list(Json.at(pod, "spec.tolerations"));
        if (node.path("spec").path("unschedulable").asBoolean(false)
                && !tolerated(new Taint(UNSCHEDULABLE_TAINT, "", "NoSchedule"), tolerations)) {
            return List.of("node(s) were unschedulable");
        }
        for (Taint taint : taints) {
            if ((taint.effect().equals("NoSchedule") || taint.effect().equals("NoExecute"))
                    && !tolerated(taint, tolerations)) {
                return List.of("node(s) had untolerated taint {" + taint.key() + ": " + taint.value() + "}");
            }
        }
        if (!matchesNodeSelector(pod, node) || !matchesRequiredAffinity(pod, node)) {
            return List.of("node(s) didn't match Pod's node affinity/selector");
        }
        return resourceFit(pod, node, podsOnNode);
    }

    static List<Taint> effectiveTaints(JsonNode node) {
        List<Taint> taints = new ArrayList<>();
        for (JsonNode taint : list(Json.at(node, "spec.taints"))) {
            taints.add(new Taint(Json.text(taint, "key"), Json.text(taint, "value"), Json.text(taint, "effect")));
        }
        String ready = "";
        for (JsonNode condition : list(Json.at(node, "status.conditions"))) {
            if (Json.text(condition, "type").equals("Ready")) {
                ready = Json.text(condition, "status");
            }
        }
        if (ready.equals("Unknown")) {
            taints.add(new Taint(UNREACHABLE_TAINT, "", "NoSchedule"));
        } else if (!ready.equals("True")) {
            taints.add(new Taint(NOT_READY_TAINT, "", "NoSchedule"));
        }
        return taints;
    }

    static boolean tolerated(Taint taint, List<JsonNode> tolerations) {
        for (JsonNode toleration : tolerations) {
            String effect = Json.text(toleration, "effect");
            if (!effect.isEmpty() && !effect.equals(taint.effect())) {
                continue;
            }
            String key = Json.text(toleration, "key");
            String operator = Json.text(toleration, "operator");
            if (operator.equals("Exists")) {
                if (key.isEmpty() || key.equals(taint.key())) {
                    return true;
                }
            } else if (key.equals(taint.key()) && Json.text(toleration, "value").equals(taint.value())) {
                return true;
            }
        }
        return false;
    }

    static boolean matchesNodeSelector(JsonNode pod, JsonNode node) {
        Map<String, String> wanted = LabelSelector.stringMap(Json.at(pod, "spec.nodeSelector"));
        Map<String, String> labels = LabelSelector.labels(node);
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    static boolean matchesRequiredAffinity(JsonNode pod, JsonNode node) {
        JsonNode required = Json.at(pod,
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution");
        if (required == null || required.isNull()) {
            return true;
        }
        Map<String, String> labels = LabelSelector.labels(node);
        for (JsonNode term : list(required.get("nodeSelectorTerms"))) {
            List<JsonNode> expressions = list(term.get("matchExpressions"));
            List<JsonNode> fields = list(term.get("matchFields"));
            if (expressions.isEmpty() && fields.isEmpty()) {
                continue; // an empty term matches no node
            }
            boolean all = expressions.stream().allMatch(e -> matches(e, labels.get(Json.text(e, "key"))));
            all &= fields.stream().allMatch(e -> Json.text(e, "key").equals("metadata.name")
                    && matches(e, Json.name(node)));
            if (all) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(JsonNode expression, String value) {
        List<String> values = new ArrayList<>();
        list(expression.get("values")).forEach(v -> values.add(v.asText()));
        return switch (Json.text(expression, "operator")) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            case "Gt", "Lt" -> {
                try {
                    long actual = Long.parseLong(value);
                    long bound = Long.parseLong(values.isEmpty() ? "" : values.get(0));
                    yield Json.text(expression, "operator").equals("Gt") ? actual > bound : actual < bound;
                } catch (NumberFormatException e) {
                    yield false;
                }
            }
            default -> false;
        };
    }

    static List<String> resourceFit(JsonNode pod, JsonNode node, List<JsonNode> podsOnNode) {
        Map<String, String> allocatable = LabelSelector.stringMap(Json.at(node, "status.allocatable"));
        List<String> why = new ArrayList<>();
        if (allocatable.containsKey("pods")
                && podsOnNode.size() + 1 > Quantity.parseOrZero(allocatable.get("pods")).longValue()) {
            why.add("Too many pods");
        }
        Map<String, BigDecimal> used = new TreeMap<>();
        podsOnNode.forEach(p -> PodRules.requests(p).forEach((r, q) -> used.merge(r, q, BigDecimal::add)));
        Map<String, BigDecimal> wanted = new TreeMap<>(PodRules.requests(pod));
        for (Map.Entry<String, BigDecimal> request : wanted.entrySet()) {
            if (request.getValue().signum() <= 0) {
                continue;
            }
            BigDecimal free = Quantity.parseOrZero(allocatable.get(request.getKey()))
                    .subtract(used.getOrDefault(request.getKey(), BigDecimal.ZERO));
            if (request.getValue().compareTo(free) > 0) {
                why.add("Insufficient " + request.getKey());
            }
        }
        return why;
    }

    private static List<JsonNode> list(JsonNode node) {
        List<JsonNode> items = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(items::add);
        }
        return items;
    }
}
