package dev.ferry.devkit.apiserver.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.devkit.apiserver.model.ResourceType.NameRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/** The kinds the development API server serves: core pods, nodes, namespaces, events, configmaps, secrets; leases; events.k8s.io events. */
public final class ResourceTypes {

    public static final ResourceType PODS = new ResourceType("", "v1", "pods", "pod", "Pod", true, List.of("po"),
            Set.of("status", "binding", "log"), "pods", NameRule.DNS_SUBDOMAIN, true, false, false,
            Set.of("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                    "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"),
            List.of("all"), UnaryOperator.identity(), UnaryOperator.identity());
    public static final ResourceType NODES = new ResourceType("", "v1", "nodes", "node", "Node", false,
            List.of("no"), Set.of("status"), "nodes", NameRule.DNS_SUBDOMAIN, true, true, false,
            Set.of("spec.unschedulable"), List.of(), UnaryOperator.identity(), UnaryOperator.identity());
    public static final ResourceType NAMESPACES = new ResourceType("", "v1", "namespaces", "namespace", "Namespace",
            false, List.of("ns"), Set.of("status"), "namespaces", NameRule.DNS_LABEL, true, false, false,
            Set.of("status.phase"), List.of(), UnaryOperator.identity(), UnaryOperator.identity());
    public static final ResourceType EVENTS = new ResourceType("", "v1", "events", "event", "Event", true,
            List.of("ev"), Set.of(), "events", NameRule.DNS_SUBDOMAIN, false, false, true,
            Set.of("involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                    "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                    "reason", "reportingComponent", "source", "type"),
            List.of(), UnaryOperator.identity(), UnaryOperator.identity());
    public static final ResourceType CONFIGMAPS = new ResourceType("", "v1", "configmaps", "configmap",
            "ConfigMap", true, List.of("cm"), Set.of(), "configmaps", NameRule.DNS_SUBDOMAIN, false, false, false,
            Set.of(), List.of(), UnaryOperator.identity(), UnaryOperator.identity());
    public static final ResourceType SECRETS = new ResourceType("", "v1", "secrets", "secret", "Secret", true,
            List.of(), Set.of(), "secrets", NameRule.DNS_SUBDOMAIN, false, false, false, Set.of("type"), List.of(),
            UnaryOperator.identity(), UnaryOperator.identity());
    public static final ResourceType LEASES = new ResourceType("coordination.k8s.io", "v1", "leases", "lease",
            "Lease", true, List.of(), Set.of(), "leases", NameRule.DNS_SUBDOMAIN, false, false, false, Set.of(),
            List.of(), UnaryOperator.identity(), UnaryOperator.identity());
    /** The events.k8s.io/v1 view of the same stored events (regarding, note, reportingController, ...). */
    public static final ResourceType EVENTS_V1 = new ResourceType("events.k8s.io", "v1", "events", "event",
            "Event", true, List.of("ev"), Set.of(), "events", NameRule.DNS_SUBDOMAIN, false, false, true,
            EVENTS.fieldLabels(), List.of(), EventViews::toCore, EventViews::toEventsV1);

    /** Every type, in discovery order. */
    public static final List<ResourceType> ALL = List.of(PODS, NODES, NAMESPACES, EVENTS, CONFIGMAPS, SECRETS,
            LEASES, EVENTS_V1);

    private ResourceTypes() {
    }

    /** The types of one group version. */
    public static List<ResourceType> of(String group, String version) {
        List<ResourceType> types = new ArrayList<>();
        for (ResourceType type : ALL) {
            if (type.group().equals(group) && type.version().equals(version)) {
                types.add(type);
            }
        }
        return types;
    }

    public static Optional<ResourceType> find(String group, String version, String plural) {
        return ALL.stream().filter(t -> t.group().equals(group) && t.version().equals(version)
                && t.plural().equals(plural)).findFirst();
    }

    /** The groups beside the core group, each with its versions, in discovery order. */
    public static Map<String, List<String>> groups() {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (ResourceType type : ALL) {
            if (!type.group().isEmpty()) {
                List<String> versions = groups.computeIfAbsent(type.group(), g -> new ArrayList<>());
                if (!versions.contains(type.version())) {
                    versions.add(type.version());
                }
            }
        }
        return groups;
    }

    /** Converts core/v1 events to events.k8s.io/v1 and back, field by field as Kubernetes' conversion does. */
    static final class EventViews {

        /** core field ↔ events.k8s.io field, for fields that only change their name. */
        private static final String[][] RENAMED = {
                {"involvedObject", "regarding"},
                {"message", "note"},
                {"reportingComponent", "reportingController"},
                {"count", "deprecatedCount"},
                {"firstTimestamp", "deprecatedFirstTimestamp"},
                {"lastTimestamp", "deprecatedLastTimestamp"},
                {"source", "deprecatedSource"},
        };
        private static final String[] SAME = {"metadata", "reason", "type", "action", "eventTime", "related",
                "reportingInstance", "series"};

        private EventViews() {
        }

        static ObjectNode toEventsV1(ObjectNode core) {
            ObjectNode view = Json.object();
            view.put("kind", "Event").put("apiVersion", "events.k8s.io/v1");
            copy(core, view, 0, 1);
            return view;
        }

        static ObjectNode toCore(ObjectNode eventsV1) {
            ObjectNode core = Json.object();
            core.put("kind", "Event").put("apiVersion", "v1");
            copy(eventsV1, core, 1, 0);
            return core;
        }

        private static void copy(ObjectNode from, ObjectNode to, int fromIndex, int toIndex) {
            for (String field : SAME) {
                JsonNode value = from.get(field);
                if (value != null) {
                    to.set(field, value.deepCopy());
                }
            }
            for (String[] pair : RENAMED) {
                JsonNode value = from.get(pair[fromIndex]);
                if (value != null) {
                    to.set(pair[toIndex], value.deepCopy());
                }
            }
        }
    }
}
