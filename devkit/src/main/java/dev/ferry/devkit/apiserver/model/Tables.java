package dev.ferry.devkit.apiserver.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Server-side printing: the {@code meta.k8s.io/v1 Table} that {@code kubectl get} asks for, with the columns and
 * cell values kube-apiserver's printers produce for pods (NAME READY STATUS RESTARTS AGE), nodes (NAME STATUS ROLES
 * AGE VERSION), namespaces, events, configmaps, secrets and leases.
 */
public final class Tables {

    /** A column: name, type, format, description, priority (0 = always shown, 1 = with {@code -o wide}). */
    record Column(String name, String type, String format, String description, int priority) {
    }

    private Tables() {
    }

    /**
     * A Table of objects (as views).
     *
     * @param includeObject {@code None}, {@code Metadata} (the default) or {@code Object}
     * @param headers       whether to include the column definitions
     */
    public static ObjectNode table(ResourceType type, List<ObjectNode> objects, long resourceVersion,
                                   String continueToken, String includeObject, boolean headers, Instant now) {
        ObjectNode table = Json.object();
        table.put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
        ObjectNode metadata = table.putObject("metadata");
        metadata.put("resourceVersion", Long.toString(resourceVersion));
        if (continueToken != null) {
            metadata.put("continue", continueToken);
        }
        ArrayNode definitions = table.putArray("columnDefinitions");
        if (headers) {
            for (Column column : columns(type)) {
                definitions.addObject().put("name", column.name()).put("type", column.type())
                        .put("format", column.format()).put("description", column.description())
                        .put("priority", column.priority());
            }
        }
        ArrayNode rows = table.putArray("rows");
        for (ObjectNode object : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Object cell : cells(type, object, now)) {
                if (cell instanceof Integer i) {
                    cells.add(i);
                } else {
                    cells.add(String.valueOf(cell));
                }
            }
            switch (includeObject == null || includeObject.isEmpty() ? "Metadata" : includeObject) {
                case "None" -> {
                }
                case "Object" -> row.set("object", object);
                default -> {
                    ObjectNode partial = row.putObject("object");
                    partial.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
                    partial.set("metadata", object.path("metadata").deepCopy());
                }
            }
        }
        return table;
    }

    private static final Column NAME = new Column("Name", "string", "name", "Name must be unique within a "
            + "namespace.", 0);
    private static final Column AGE = new Column("Age", "string", "", "CreationTimestamp is a timestamp "
            + "representing the server time when this object was created.", 0);

    static List<Column> columns(ResourceType type) {
        return switch (type.storage()) {
            case "pods" -> List.of(NAME, col("Ready", "The aggregate readiness state of this pod for accepting "
                            + "traffic."), col("Status", "The aggregate status of the containers in this pod."),
                    col("Restarts", "The number of times the containers in this pod have been restarted and when "
                            + "the last container in this pod has restarted."), AGE,
                    wide("IP", "IP address allocated to the pod."), wide("Node", "Name of the node the pod is "
                            + "assigned to."), wide("Nominated Node", "Name of the node the pod is nominated to."),
                    wide("Readiness Gates", "Readiness gates of the pod."));
            case "nodes" -> List.of(NAME, col("Status", "The status of the node"), col("Roles", "The roles of the "
                            + "node"), AGE, col("Version", "Kubelet Version reported by the node."),
                    wide("Internal-IP", "List of internal IPs."), wide("External-IP", "List of external IPs."),
                    wide("OS-Image", "OS image reported by the node."), wide("Kernel-Version", "Kernel version "
                            + "reported by the node."), wide("Container-Runtime", "Container runtime reported by "
                            + "the node."));
            case "namespaces" -> List.of(NAME, col("Status", "The status of the namespace"), AGE);
            case "events" -> List.of(col("Last Seen", "Time since the event was last seen."), col("Type",
                            "Type of this event (Normal, Warning)."), col("Reason", "Why the action was taken."),
                    col("Object", "The object this event is about."), col("Message", "A human-readable "
                            + "description."), wide("Subobject", ""), wide("Source", ""), wide("First Seen", ""),
                    wide("Count", ""), new Column("Name", "string", "name", "", 1));
            case "configmaps" -> List.of(NAME, new Column("Data", "integer", "", "Number of keys.", 0), AGE);
            case "secrets" -> List.of(NAME, col("Type", "The type of the secret"), new Column("Data", "integer",
                    "", "Number of keys.", 0), AGE);
            case "leases" -> List.of(NAME, col("Holder", "The holder of the lease."), AGE);
            default -> List.of(NAME, AGE);
        };
    }

    private static Column col(String name, String description) {
        return new Column(name, "string", "", description, 0);
    }

    private static Column wide(String name, String description) {
        return new Column(name, "string", "", description, 1);
    }

    static List<Object> cells(ResourceType type, JsonNode object, Instant now) {
        String name = Json.name(object);
        String age = age(Json.text(object, "metadata.creationTimestamp"), now);
        return switch (type.storage()) {
            case "pods" -> podCells(object, age);
            case "nodes" -> nodeCells(object, age);
            case "namespaces" -> List.of(name, Json.text(object, "status.phase"), age);
            case "events" -> eventCells(object, now);
            case "configmaps" -> List.of(name, size(object.get("data")) + size(object.get("binaryData")), age);
            case "secrets" -> List.of(name, Json.text(object, "type"), size(object.get("data")), age);
            case "leases" -> List.of(name, Json.text(object, "spec.holderIdentity"), age);
            default -> List.of(name, age);
        };
    }

    private static int size(JsonNode node) {
        return node != null && node.isObject() ? node.size() : 0;
    }

    /** The STATUS column as kubectl's pod printer computes it. */
    public static String podStatus(JsonNode pod) {
        String reason = Json.text(pod, "status.reason");
        if (reason.isEmpty()) {
            reason = Json.text(pod, "status.phase");
        }
        JsonNode initStatuses = Json.at(pod, "status.initContainerStatuses");
        int initCount = sizeOf(Json.at(pod, "spec.initContainers"));
        boolean initializing = false;
        if (initStatuses != null && initStatuses.isArray()) {
            int i = 0;
            for (JsonNode status : initStatuses) {
                JsonNode terminated = status.path("state").path("terminated");
                JsonNode waiting = status.path("state").path("waiting");
                if (!terminated.isMissingNode() && terminated.path("exitCode").asInt() == 0) {
                    i++;
                    continue;
                }
                if (!terminated.isMissingNode()) {
                    String r = terminated.path("reason").asText("");
                    reason = "Init:" + (r.isEmpty() ? signalOrExit(terminated) : r);
                } else if (!waiting.isMissingNode() && !waiting.path("reason").asText("").isEmpty()
                        && !waiting.path("reason").asText().equals("PodInitializing")) {
                    reason = "Init:" + waiting.path("reason").asText();
                } else {
                    reason = "Init:" + i + "/" + initCount;
                }
                initializing = true;
                break;
            }
        }
        if (!initializing) {
            boolean hasRunning = false;
            JsonNode statuses = Json.at(pod, "status.containerStatuses");
            if (statuses != null && statuses.isArray()) {
                for (int i = statuses.size() - 1; i >= 0; i--) {
                    JsonNode state = statuses.get(i).path("state");
                    JsonNode waiting = state.path("waiting");
                    JsonNode terminated = state.path("terminated");
                    if (!waiting.isMissingNode() && !waiting.path("reason").asText("").isEmpty()) {
                        reason = waiting.path("reason").asText();
                    } else if (!terminated.isMissingNode()) {
                        String r = terminated.path("reason").asText("");
                        reason = r.isEmpty() ? signalOrExit(terminated) : r;
                    } else if (!state.path("running").isMissingNode() && statuses.get(i).path("ready")
                            .asBoolean()) {
                        hasRunning = true;
                    }
                }
            }
            if (reason.equals("Completed") && hasRunning) {
                reason = "Running";
            }
        }
        if (pod.path("metadata").has("deletionTimestamp")) {
            reason = reason.equals("NodeLost") ? "Unknown" : "Terminating";
        }
        return reason;
    }

    private static String signalOrExit(JsonNode terminated) {
        int signal = terminated.path("signal").asInt(0);
        return signal != 0 ? "Signal:" + signal : "ExitCode:" + terminated.path("exitCode").asInt();
    }

    private static int sizeOf(JsonNode node) {
        return node != null && node.isArray() ? node.size() : 0;
    }

    private static List<Object> podCells(JsonNode pod, String age) {
        int total = sizeOf(Json.at(pod, "spec.containers"));
        int ready = 0;
        int restarts = 0;
        JsonNode statuses = Json.at(pod, "status.containerStatuses");
        if (statuses != null && statuses.isArray()) {
            for (JsonNode status : statuses) {
                if (status.path("ready").asBoolean()) {
                    ready++;
                }
                restarts += status.path("restartCount").asInt();
            }
        }
        String ip = Json.text(pod, "status.podIP");
        String node = Json.text(pod, "spec.nodeName");
        String nominated = Json.text(pod, "status.nominatedNodeName");
        return List.of(Json.name(pod), ready + "/" + total, podStatus(pod), Integer.toString(restarts), age,
                ip.isEmpty() ? "<none>" : ip, node.isEmpty() ? "<none>" : node,
                nominated.isEmpty() ? "<none>" : nominated, "<none>");
    }

    private static List<Object> nodeCells(JsonNode node, String age) {
        String ready = Conditions.status(node, "Ready");
        String status = switch (ready) {
            case "True" -> "Ready";
            case "False" -> "NotReady";
            default -> "Unknown";
        };
        if (node.path("spec").path("unschedulable").asBoolean(false)) {
            status += ",SchedulingDisabled";
        }
        TreeSet<String> roles = new TreeSet<>();
        for (Map.Entry<String, String> label : LabelSelector.labels(node).entrySet()) {
            if (label.getKey().startsWith("node-role.kubernetes.io/")) {
                roles.add(label.getKey().substring("node-role.kubernetes.io/".length()));
            } else if (label.getKey().equals("kubernetes.io/role")) {
                roles.add(label.getValue());
            }
        }
        roles.remove("");
        List<String> internal = new ArrayList<>();
        List<String> external = new ArrayList<>();
        JsonNode addresses = Json.at(node, "status.addresses");
        if (addresses != null && addresses.isArray()) {
            for (JsonNode address : addresses) {
                if (Json.text(address, "type").equals("InternalIP")) {
                    internal.add(Json.text(address, "address"));
                } else if (Json.text(address, "type").equals("ExternalIP")) {
                    external.add(Json.text(address, "address"));
                }
            }
        }
        String version = Json.text(node, "status.nodeInfo.kubeletVersion");
        return List.of(Json.name(node), status, roles.isEmpty() ? "<none>" : String.join(",", roles), age,
                version, internal.isEmpty() ? "<none>" : String.join(",", internal),
                external.isEmpty() ? "<none>" : String.join(",", external),
                orUnknown(Json.text(node, "status.nodeInfo.osImage")),
                orUnknown(Json.text(node, "status.nodeInfo.kernelVersion")),
                orUnknown(Json.text(node, "status.nodeInfo.containerRuntimeVersion")));
    }

    private static String orUnknown(String value) {
        return value.isEmpty() ? "<unknown>" : value;
    }

    private static List<Object> eventCells(JsonNode event, Instant now) {
        String last = Json.text(event, "lastTimestamp");
        if (last.isEmpty()) {
            last = Json.text(event, "eventTime");
        }
        if (last.isEmpty()) {
            last = Json.text(event, "metadata.creationTimestamp");
        }
        String first = Json.text(event, "firstTimestamp");
        String object = Json.text(event, "involvedObject.kind").toLowerCase(java.util.Locale.ROOT) + "/"
                + Json.text(event, "involvedObject.name");
        String source = Json.text(event, "source.component");
        if (source.isEmpty()) {
            source = Json.text(event, "reportingComponent");
        }
        int count = event.path("count").asInt(1);
        return List.of(age(last, now), Json.text(event, "type"), Json.text(event, "reason"), object,
                Json.text(event, "message").trim(), Json.text(event, "involvedObject.fieldPath"), source,
                first.isEmpty() ? "<unknown>" : age(first, now), Integer.toString(count), Json.name(event));
    }

    /** An age as kubectl prints it: {@code 45s}, {@code 3m20s}, {@code 5h}, {@code 2d}. */
    public static String age(String timestamp, Instant now) {
        Instant then = Json.parseTime(timestamp);
        if (then == null) {
            return "<unknown>";
        }
        return humanDuration(Duration.between(then, now));
    }

    /** Kubernetes' {@code duration.HumanDuration}. */
    public static String humanDuration(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < -1) {
            return "<invalid>";
        } else if (seconds < 0) {
            return "0s";
        } else if (seconds < 60 * 2) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        } else if (minutes < 60 * 3) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        } else if (hours < 48) {
            return hours + "h";
        } else if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        } else if (hours < 24 * 365 * 8) {
            long dy = (hours / 24) % 365;
            return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
        }
        return hours / 24 / 365 + "y";
    }
}
