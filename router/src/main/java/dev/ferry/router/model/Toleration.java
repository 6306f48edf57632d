package dev.ferry.router.model;

/**
 * A pod's toleration, with Kubernetes' matching rules.
 *
 * @param key      the taint key; empty with {@code Exists} tolerates every taint
 * @param operator {@code Equal} (the default) or {@code Exists}
 * @param value    compared with {@code Equal}; empty when none
 * @param effect   the taint effect it applies to; empty for all effects
 */
public record Toleration(String key, String operator, String value, String effect) {

    public static final String EQUAL = "Equal";
    public static final String EXISTS = "Exists";

    public Toleration {
        key = key == null ? "" : key;
        operator = operator == null || operator.isEmpty() ? EQUAL : operator;
        value = value == null ? "" : value;
        effect = effect == null ? "" : effect;
    }

    /** Kubernetes' {@code ToleratesTaint}. */
    public boolean tolerates(Taint taint) {
        if (!effect.isEmpty() && !effect.equals(taint.effect())) {
            return false;
        }
        if (key.isEmpty()) {
            return EXISTS.equals(operator);
        }
        if (!key.equals(taint.key())) {
            return false;
        }
        return EXISTS.equals(operator) || value.equals(taint.value());
    }
}
