package dev.ferry.devkit.apiserver.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * One kind the development API server serves, with the rules that differ between kinds. Every kind shares one code
 * path in {@link ObjectStore}; what differs is data here.
 *
 * @param group              API group, {@code ""} for the core group
 * @param version            API version, e.g. {@code v1}
 * @param plural             the resource name in URLs ({@code pods})
 * @param singular           the singular name ({@code pod})
 * @param kind               the kind ({@code Pod})
 * @param namespaced         whether objects live in a namespace
 * @param shortNames         kubectl short names ({@code po})
 * @param subresources       subresources served ({@code status}, {@code binding}, {@code log})
 * @param storage            the storage key; two types with the same key are two views of the same objects
 * @param nameRule           how {@code metadata.name} is validated
 * @param statusRules        whether writes to the main resource keep the status (and status writes keep the rest)
 * @param createKeepsStatus  whether a create keeps the status sent (nodes), instead of resetting it
 * @param allowCreateOnUpdate whether a PUT of a missing object creates it (events)
 * @param fieldLabels        the field selector labels beside {@code metadata.name} and {@code metadata.namespace}
 * @param toStorage          converts an object of this view into the stored form
 * @param fromStorage        converts a stored object into this view
 */
public record ResourceType(String group, String version, String plural, String singular, String kind,
                           boolean namespaced, List<String> shortNames, Set<String> subresources, String storage,
                           NameRule nameRule, boolean statusRules, boolean createKeepsStatus,
                           boolean allowCreateOnUpdate, Set<String> fieldLabels, List<String> categories,
                           UnaryOperator<ObjectNode> toStorage, UnaryOperator<ObjectNode> fromStorage) {

    /** How names are validated, as in Kubernetes' {@code ValidateObjectMeta}. */
    public enum NameRule {
        /** RFC 1123 label: at most 63 characters (namespaces). */
        DNS_LABEL,
        /** RFC 1123 subdomain: at most 253 characters (most kinds). */
        DNS_SUBDOMAIN,
        /** Anything usable as a path segment (events, configmaps in practice use subdomains too). */
        PATH_SEGMENT
    }

    public static final Set<String> COMMON_FIELD_LABELS = Set.of("metadata.name", "metadata.namespace");

    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code pods}, or {@code leases.coordination.k8s.io}: how messages name the resource. */
    public String qualifiedPlural() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    public boolean hasSubresource(String name) {
        return subresources.contains(name);
    }

    public boolean supportsFieldLabel(String label) {
        return COMMON_FIELD_LABELS.contains(label) || fieldLabels.contains(label);
    }

    public String listKind() {
        return kind + "List";
    }
}
