package dev.ferry.devkit.apiserver.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * A minimal OpenAPI v3 document: the paths and operations of each group version, with their
 * {@code x-kubernetes-group-version-kind} and query parameters, but no schemas. It is what {@code kubectl apply}
 * reads to learn that the server takes the {@code fieldValidation} parameter, so plain {@code kubectl apply} works
 * without {@code --validate=false}. The server accepts that parameter but does not check fields against schemas:
 * unknown fields are stored, not refused. With no schema to compute a strategic merge patch from, kubectl falls
 * back to its built-in types for that.
 */
public final class OpenApi {

    private OpenApi() {
    }

    /** {@code /openapi/v3}: where each group version's document is. */
    public static ObjectNode root() {
        ObjectNode root = Json.object();
        ObjectNode paths = root.putObject("paths");
        paths.putObject("api/v1").put("serverRelativeURL", "/openapi/v3/api/v1?hash=" + hash("", "v1"));
        for (Map.Entry<String, List<String>> group : ResourceTypes.groups().entrySet()) {
            for (String version : group.getValue()) {
                paths.putObject("apis/" + group.getKey() + "/" + version).put("serverRelativeURL",
                        "/openapi/v3/apis/" + group.getKey() + "/" + version + "?hash=" + hash(group.getKey(),
                                version));
            }
        }
        return root;
    }

    private static String hash(String group, String version) {
        return Integer.toHexString((Discovery.GIT_VERSION + group + version).hashCode()).toUpperCase(
                java.util.Locale.ROOT);
    }

    /** The document of one group version, or null when the server has no such group version. */
    public static ObjectNode groupVersion(String group, String version) {
        List<ResourceType> types = ResourceTypes.of(group, version);
        if (types.isEmpty()) {
            return null;
        }
        ObjectNode doc = Json.object();
        doc.put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes (Ferry development API server: paths only, no schemas)")
                .put("version", Discovery.GIT_VERSION);
        ObjectNode paths = doc.putObject("paths");
        String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
        for (ResourceType type : types) {
            String collection = prefix + (type.namespaced() ? "/namespaces/{namespace}/" : "/") + type.plural();
            ObjectNode list = paths.putObject(collection);
            operation(list, "get", "list", type, false);
            operation(list, "post", "post", type, true);
            operation(list, "delete", "deletecollection", type, false);
            ObjectNode item = paths.putObject(collection + "/{name}");
            operation(item, "get", "get", type, false);
            operation(item, "put", "put", type, true);
            operation(item, "patch", "patch", type, true);
            operation(item, "delete", "delete", type, false);
            if (type.hasSubresource("status")) {
                ObjectNode status = paths.putObject(collection + "/{name}/status");
                operation(status, "get", "get", type, false);
                operation(status, "put", "put", type, true);
                operation(status, "patch", "patch", type, true);
            }
        }
        return doc;
    }

    private static void operation(ObjectNode path, String method, String action, ResourceType type,
                                  boolean write) {
        ObjectNode op = path.putObject(method);
        op.put("operationId", action + type.kind());
        op.put("x-kubernetes-action", action);
        op.putObject("x-kubernetes-group-version-kind").put("group", type.group()).put("version", type.version())
                .put("kind", type.kind());
        ArrayNode parameters = op.putArray("parameters");
        if (write) {
            for (String name : List.of("dryRun", "fieldManager", "fieldValidation")) {
                parameters.addObject().put("name", name).put("in", "query").putObject("schema")
                        .put("type", "string");
            }
        }
        op.putObject("responses").putObject("200").put("description", "OK");
    }
}
