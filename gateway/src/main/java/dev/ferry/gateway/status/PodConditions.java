package dev.ferry.gateway.status;

import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Pod status conditions keyed by type, as every Kubernetes controller writes them. */
final class PodConditions {

    private PodConditions() {
    }

    /**
     * Returns {@code conditions} with the condition of {@code type} set: replaced in place, or appended. Its
     * {@code lastTransitionTime} becomes {@code now} only when its status changes (or it had none); every other
     * condition is kept as it was.
     */
    static List<PodCondition> set(List<PodCondition> conditions, String type, String status, String reason,
                                  String message, Instant now) {
        List<PodCondition> result = new ArrayList<>(conditions == null ? List.of() : conditions);
        int index = indexOf(result, type);
        PodCondition old = index < 0 ? null : result.get(index);
        String transition = old != null && Objects.equals(old.getStatus(), status) && old.getLastTransitionTime() != null
                ? old.getLastTransitionTime()
                : KubeTime.time(now);
        PodCondition next = new PodConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(emptyToNull(reason))
                .withMessage(emptyToNull(message))
                .withLastTransitionTime(transition)
                .withLastProbeTime(old == null ? null : old.getLastProbeTime())
                .build();
        if (index < 0) {
            result.add(next);
        } else {
            result.set(index, next);
        }
        return result;
    }

    /** The condition of a type, or null. */
    static PodCondition get(List<PodCondition> conditions, String type) {
        int index = conditions == null ? -1 : indexOf(conditions, type);
        return index < 0 ? null : conditions.get(index);
    }

    private static int indexOf(List<PodCondition> conditions, String type) {
        for (int i = 0; i < conditions.size(); i++) {
            if (type.equals(conditions.get(i).getType())) {
                return i;
            }
        }
        return -1;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
