package dev.ferry.router.model;

import java.util.List;

/**
 * A required node affinity term: all of its requirements must hold (AND); a pod's terms are alternatives (OR).
 * A term without requirements matches nothing, as in Kubernetes.
 *
 * @param expressions requirements on the pool's labels
 * @param fields      requirements on the pool's fields; only {@code metadata.name} (the pool id) exists
 */
public record NodeSelectorTerm(List<LabelRequirement> expressions, List<LabelRequirement> fields) {

    public static final String NAME_FIELD = "metadata.name";

    public NodeSelectorTerm {
        expressions = List.copyOf(expressions);
        fields = List.copyOf(fields);
    }

    public boolean isEmpty() {
        return expressions.isEmpty() && fields.isEmpty();
    }
}
