package dev.ferry.router.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One requirement of a node affinity term ({@code key In [a, b]}), evaluated against a pool's labels the way
 * Kubernetes evaluates it against a node's.
 *
 * @param key      the label key (for a {@code matchFields} requirement: {@code metadata.name}, the pool id)
 * @param operator the operator
 * @param values   the values; exactly one integer for {@code Gt} and {@code Lt}, none for the existence checks
 */
public record LabelRequirement(String key, Operator operator, List<String> values) {

    /** Kubernetes' node selector operators. */
    public enum Operator {
        In, NotIn, Exists, DoesNotExist, Gt, Lt
    }

    public LabelRequirement {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(operator, "operator");
        values = List.copyOf(values);
    }

    /** True when the labels satisfy this requirement. */
    public boolean matches(Map<String, String> labels) {
        String actual = labels.get(key);
        return switch (operator) {
            case In -> actual != null && values.contains(actual);
            case NotIn -> actual == null || !values.contains(actual);
            case Exists -> actual != null;
            case DoesNotExist -> actual == null;
            case Gt -> compare(actual) > 0;
            case Lt -> compare(actual) < 0;
        };
    }

    /** Sign of {@code actual - values[0]} as integers; 0 (no match either way) when the label is absent or not one. */
    private int compare(String actual) {
        if (actual == null) {
            return 0;
        }
        try {
            return Long.compare(Long.parseLong(actual.trim()), Long.parseLong(values.get(0)));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Why {@code labels} fail this requirement, for a pod's user. */
    public String explain(Map<String, String> labels) {
        String actual = labels.get(key);
        return this + ": pool " + (actual == null ? "has no label " + key : "has " + key + "=" + actual);
    }

    /** {@code zone In [a, b]}. */
    @Override
    public String toString() {
        return switch (operator) {
            case Exists, DoesNotExist -> key + " " + operator;
            case Gt, Lt -> key + " " + operator + " " + values.get(0);
            default -> key + " " + operator + " " + values;
        };
    }
}
