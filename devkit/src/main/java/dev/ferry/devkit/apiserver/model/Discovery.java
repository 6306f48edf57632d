package dev.ferry.devkit.apiserver.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/** The discovery documents kubectl and client libraries read: {@code /version}, {@code /api}, {@code /apis}, resource lists. */
public final class Discovery {

    /** The Kubernetes version this server speaks (its API surface is a subset of it). */
    public static final String MAJOR = "1";
    public static final String MINOR = "32";
    public static final String GIT_VERSION = "v1.32.0-ferry-dev";

    private Discovery() {
    }

    public static ObjectNode version() {
        ObjectNode version = Json.object();
        version.put("major", MAJOR).put("minor", MINOR).put("gitVersion", GIT_VERSION)
                .put("gitCommit", "ferry-dev").put("gitTreeState", "clean")
                .put("buildDate", "2025-01-01T00:00:00Z").put("goVersion", "n/a (Java "
                        + Runtime.version().feature() + ")").put("compiler", "javac")
                .put("platform", System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT) + "/"
                        + ("amd64".equals(System.getProperty("os.arch")) || "x86_64".equals(System.getProperty(
                        "os.arch")) ? "amd64" : System.getProperty("os.arch")));
        return version;
    }

    /** {@code /api}: the core group's versions. */
    public static ObjectNode coreVersions(String serverAddress) {
        ObjectNode versions = Json.object();
        versions.put("kind", "APIVersions");
        versions.putArray("versions").add("v1");
        versions.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0")
                .put("serverAddress", serverAddress);
        return versions;
    }

    /** {@code /apis}: every named group. */
    public static ObjectNode groups() {
        ObjectNode list = Json.object();
        list.put("kind", "APIGroupList").put("apiVersion", "v1");
        ArrayNode groups = list.putArray("groups");
        for (Map.Entry<String, List<String>> group : ResourceTypes.groups().entrySet()) {
            groups.add(group(group.getKey(), group.getValue()));
        }
        return list;
    }

    /** {@code /apis/{group}}. */
    public static ObjectNode group(String name, List<String> versions) {
        ObjectNode group = Json.object();
        group.put("kind", "APIGroup").put("apiVersion", "v1").put("name", name);
        ArrayNode list = group.putArray("versions");
        for (String version : versions) {
            list.addObject().put("groupVersion", name + "/" + version).put("version", version);
        }
        group.putObject("preferredVersion").put("groupVersion", name + "/" + versions.get(0))
                .put("version", versions.get(0));
        return group;
    }

    /** {@code /api/v1} or {@code /apis/{group}/{version}}: the resources with their verbs and subresources. */
    public static ObjectNode resources(String group, String version) {
        ObjectNode list = Json.object();
        list.put("kind", "APIResourceList").put("apiVersion", "v1")
                .put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode resources = list.putArray("resources");
        for (ResourceType type : ResourceTypes.of(group, version)) {
            ObjectNode resource = resources.addObject();
            resource.put("name", type.plural()).put("singularName", type.singular())
                    .put("namespaced", type.namespaced()).put("kind", type.kind());
            ArrayNode verbs = resource.putArray("verbs");
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
                    .forEach(verbs::add);
            if (!type.shortNames().isEmpty()) {
                ArrayNode shortNames = resource.putArray("shortNames");
                type.shortNames().forEach(shortNames::add);
            }
            if (!type.categories().isEmpty()) {
                ArrayNode categories = resource.putArray("categories");
                type.categories().forEach(categories::add);
            }
            for (String sub : List.of("binding", "log", "status")) {
                if (!type.hasSubresource(sub)) {
                    continue;
                }
                ObjectNode subresource = resources.addObject();
                subresource.put("name", type.plural() + "/" + sub).put("singularName", "")
                        .put("namespaced", type.namespaced());
                ArrayNode subVerbs = subresource.putArray("verbs");
                switch (sub) {
                    case "binding" -> {
                        subresource.put("kind", "Binding");
                        subVerbs.add("create");
                    }
                    case "log" -> {
                        subresource.put("kind", type.kind());
                        subVerbs.add("get");
                    }
                    default -> {
                        subresource.put("kind", type.kind());
                        subVerbs.add("get").add("patch").add("update");
                    }
                }
            }
        }
        if (group.isEmpty()) {
            ObjectNode bindings = resources.addObject();
            bindings.put("name", "bindings").put("singularName", "binding").put("namespaced", true)
                    .put("kind", "Binding");
            bindings.putArray("verbs").add("create");
        }
        return list;
    }
}
