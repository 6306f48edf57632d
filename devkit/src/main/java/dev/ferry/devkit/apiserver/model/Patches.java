package dev.ferry.devkit.apiserver.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The three patch formats of {@code PATCH}: JSON Patch (RFC 6902), JSON merge patch (RFC 7386), and Kubernetes'
 * strategic merge patch, approximated: lists Kubernetes merges by a key are merged by that key (containers, env,
 * volumes and volume mounts, ports, conditions, node addresses, owner references), {@code finalizers} are merged
 * as a set, every other list is replaced; the directives {@code $patch} (replace, delete, merge),
 * {@code $setElementOrder/<list>}, {@code $deleteFromPrimitiveList/<list>} and {@code $retainKeys} are honoured.
 * All functions are pure: they return a new tree and leave their arguments alone.
 */
public final class Patches {

    /** The patch content types, by their media type. */
    public enum Type {
        JSON_PATCH("application/json-patch+json"),
        MERGE_PATCH("application/merge-patch+json"),
        STRATEGIC_MERGE_PATCH("application/strategic-merge-patch+json"),
        APPLY_PATCH("application/apply-patch+yaml");

        private final String mediaType;

        Type(String mediaType) {
            this.mediaType = mediaType;
        }

        public String mediaType() {
            return mediaType;
        }

        /** The patch type of a {@code Content-Type} header, or null. */
        public static Type of(String contentType) {
            if (contentType == null) {
                return null;
            }
            String media = contentType.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
            for (Type type : values()) {
                if (type.mediaType.equals(media)) {
                    return type;
                }
            }
            return null;
        }
    }

    /** List fields merged by a key in strategic merge patch, by field name. */
    private static final Map<String, String> MERGE_KEYS = Map.ofEntries(
            Map.entry("containers", "name"),
            Map.entry("initContainers", "name"),
            Map.entry("ephemeralContainers", "name"),
            Map.entry("env", "name"),
            Map.entry("volumes", "name"),
            Map.entry("imagePullSecrets", "name"),
            Map.entry("volumeMounts", "mountPath"),
            Map.entry("volumeDevices", "devicePath"),
            Map.entry("ports", "containerPort"),
            Map.entry("conditions", "type"),
            Map.entry("addresses", "type"),
            Map.entry("ownerReferences", "uid"),
            Map.entry("hostAliases", "ip"),
            Map.entry("resourceClaims", "name"));
    /** Lists of scalars merged as sets in strategic merge patch. */
    private static final java.util.Set<String> MERGED_PRIMITIVE_LISTS = java.util.Set.of("finalizers");
    private static final String DIRECTIVE = "$patch";
    private static final String SET_ORDER = "$setElementOrder/";
    private static final String DELETE_PRIMITIVE = "$deleteFromPrimitiveList/";
    private static final String RETAIN_KEYS = "$retainKeys";

    private Patches() {
    }

    /** Applies a patch of the given type to a copy of {@code target}. */
    public static JsonNode apply(Type type, JsonNode target, JsonNode patch) {
        return switch (type) {
            case JSON_PATCH -> jsonPatch(target, patch);
            case MERGE_PATCH -> mergePatch(target, patch);
            case STRATEGIC_MERGE_PATCH -> strategicMergePatch(target, patch);
            case APPLY_PATCH -> throw ApiException.unsupportedMediaType("server-side apply (" + type.mediaType()
                    + ") is not supported by the development API server; use client-side apply (kubectl apply "
                    + "without --server-side), a merge patch or an update");
        };
    }

    // ---------------------------------------------------------------- RFC 7386

    /** RFC 7386: objects merge recursively, {@code null} deletes, anything else replaces. */
    public static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- RFC 6902

    /**
     * RFC 6902: add, remove, replace, move, copy, test.
     *
     * @throws ApiException 400 when the patch is not a list of operations, 422 when an operation cannot apply
     */
    public static JsonNode jsonPatch(JsonNode target, JsonNode patch) {
        if (!patch.isArray()) {
            throw ApiException.badRequest("a JSON patch must be a list of operations, e.g. "
                    + "[{\"op\":\"replace\",\"path\":\"/spec/x\",\"value\":1}]");
        }
        JsonNode doc = target.deepCopy();
        for (int i = 0; i < patch.size(); i++) {
            JsonNode op = patch.get(i);
            String name = Json.text(op, "op");
            String path = op.has("path") ? op.get("path").asText() : null;
            if (path == null) {
                throw ApiException.badRequest("JSON patch operation " + i + " has no \"path\"");
            }
            doc = switch (name) {
                case "add" -> add(doc, path, value(op, i), i);
                case "remove" -> remove(doc, path, i);
                case "replace" -> add(remove(doc, path, i), path, value(op, i), i);
                case "move" -> {
                    String from = from(op, i);
                    JsonNode moved = get(doc, from, i);
                    yield add(remove(doc, from, i), path, moved, i);
                }
                case "copy" -> add(doc, path, get(doc, from(op, i), i).deepCopy(), i);
                case "test" -> {
                    if (!Objects.equals(get(doc, path, i), value(op, i))) {
                        throw unprocessable("JSON patch operation " + i + " (test) failed: the value at " + path
                                + " is not " + value(op, i));
                    }
                    yield doc;
                }
                default -> throw ApiException.badRequest("JSON patch operation " + i + " has an unknown op \""
                        + name + "\" (use add, remove, replace, move, copy or test)");
            };
        }
        return doc;
    }

    private static JsonNode value(JsonNode op, int index) {
        if (!op.has("value")) {
            throw ApiException.badRequest("JSON patch operation " + index + " has no \"value\"");
        }
        return op.get("value");
    }

    private static String from(JsonNode op, int index) {
        if (!op.has("from")) {
            throw ApiException.badRequest("JSON patch operation " + index + " has no \"from\"");
        }
        return op.get("from").asText();
    }

    private static List<String> pointer(String path, int index) {
        if (path.isEmpty()) {
            return List.of();
        }
        if (!path.startsWith("/")) {
            throw ApiException.badRequest("JSON patch operation " + index + ": path \"" + path
                    + "\" is not a JSON pointer (it must start with /)");
        }
        List<String> tokens = new ArrayList<>();
        for (String token : path.substring(1).split("/", -1)) {
            tokens.add(token.replace("~1", "/").replace("~0", "~"));
        }
        return tokens;
    }

    private static JsonNode get(JsonNode doc, String path, int index) {
        JsonNode current = doc;
        for (String token : pointer(path, index)) {
            current = child(current, token);
            if (current == null) {
                throw unprocessable("JSON patch operation " + index + ": " + path + " does not exist");
            }
        }
        return current;
    }

    private static JsonNode child(JsonNode node, String token) {
        if (node.isObject()) {
            return node.get(token);
        }
        if (node.isArray()) {
            try {
                int at = Integer.parseInt(token);
                return at >= 0 && at < node.size() ? node.get(at) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static JsonNode add(JsonNode doc, String path, JsonNode value, int index) {
        List<String> tokens = pointer(path, index);
        if (tokens.isEmpty()) {
            return value.deepCopy();
        }
        JsonNode parent = parent(doc, tokens, path, index);
        String last = tokens.get(tokens.size() - 1);
        if (parent.isObject()) {
            ((ObjectNode) parent).set(last, value.deepCopy());
        } else if (parent.isArray()) {
            ArrayNode array = (ArrayNode) parent;
            if (last.equals("-")) {
                array.add(value.deepCopy());
            } else {
                int at = arrayIndex(last, array.size(), path, index);
                array.insert(at, value.deepCopy());
            }
        } else {
            throw unprocessable("JSON patch operation " + index + ": the parent of " + path + " is not a container");
        }
        return doc;
    }

    private static JsonNode remove(JsonNode doc, String path, int index) {
        List<String> tokens = pointer(path, index);
        if (tokens.isEmpty()) {
            throw unprocessable("JSON patch operation " + index + ": cannot remove the whole document");
        }
        JsonNode parent = parent(doc, tokens, path, index);
        String last = tokens.get(tokens.size() - 1);
        if (parent.isObject() && parent.has(last)) {
            ((ObjectNode) parent).remove(last);
        } else if (parent.isArray()) {
            ((ArrayNode) parent).remove(arrayIndex(last, parent.size() - 1, path, index));
        } else {
            throw unprocessable("JSON patch operation " + index + ": " + path + " does not exist");
        }
        return doc;
    }

    private static JsonNode parent(JsonNode doc, List<String> tokens, String path, int index) {
        JsonNode current = doc;
        for (String token : tokens.subList(0, tokens.size() - 1)) {
            current = child(current, token);
            if (current == null) {
                throw unprocessable("JSON patch operation " + index + ": the parent of " + path + " does not exist");
            }
        }
        return current;
    }

    private static int arrayIndex(String token, int max, String path, int index) {
        try {
            int at = Integer.parseInt(token);
            if (at < 0 || at > max) {
                throw unprocessable("JSON patch operation " + index + ": index " + at + " in " + path
                        + " is out of range");
            }
            return at;
        } catch (NumberFormatException e) {
            throw unprocessable("JSON patch operation " + index + ": \"" + token + "\" in " + path
                    + " is not an array index");
        }
    }

    private static ApiException unprocessable(String message) {
        return new ApiException(422, "Invalid", message);
    }

    // ---------------------------------------------------------------- strategic merge patch

    /** Kubernetes' strategic merge patch, approximated as the class comment says. */
    public static JsonNode strategicMergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            throw ApiException.badRequest("a strategic merge patch must be a JSON object");
        }
        ObjectNode base = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        return mergeObject(base, (ObjectNode) patch);
    }

    private static ObjectNode mergeObject(ObjectNode base, ObjectNode patch) {
        String directive = Json.text(patch, DIRECTIVE);
        if (directive.equals("replace")) {
            ObjectNode replaced = patch.deepCopy();
            replaced.remove(DIRECTIVE);
            return stripDirectives(replaced);
        }
        JsonNode retain = patch.get(RETAIN_KEYS);
        Map<String, JsonNode> orders = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (key.equals(DIRECTIVE) || key.equals(RETAIN_KEYS)) {
                continue;
            }
            if (key.startsWith(SET_ORDER)) {
                orders.put(key.substring(SET_ORDER.length()), value);
                continue;
            }
            if (key.startsWith(DELETE_PRIMITIVE)) {
                String list = key.substring(DELETE_PRIMITIVE.length());
                JsonNode existing = base.get(list);
                if (existing != null && existing.isArray() && value.isArray()) {
                    ArrayNode kept = JsonNodeFactory.instance.arrayNode();
                    existing.forEach(item -> {
                        if (!contains(value, item)) {
                            kept.add(item);
                        }
                    });
                    base.set(list, kept);
                }
                continue;
            }
            if (value.isNull()) {
                base.remove(key);
            } else if (value.isObject()) {
                if (Json.text(value, DIRECTIVE).equals("delete")) {
                    base.remove(key);
                } else {
                    JsonNode existing = base.get(key);
                    base.set(key, mergeObject(existing instanceof ObjectNode o ? o
                            : JsonNodeFactory.instance.objectNode(), (ObjectNode) value));
                }
            } else if (value.isArray()) {
                base.set(key, mergeList(key, base.get(key), (ArrayNode) value));
            } else {
                base.set(key, value.deepCopy());
            }
        }
        for (Map.Entry<String, JsonNode> order : orders.entrySet()) {
            JsonNode list = base.get(order.getKey());
            if (list != null && list.isArray()) {
                base.set(order.getKey(), reorder(order.getKey(), (ArrayNode) list, order.getValue()));
            }
        }
        if (retain != null && retain.isArray()) {
            List<String> names = new ArrayList<>();
            base.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (!contains(retain, JsonNodeFactory.instance.textNode(name))) {
                    base.remove(name);
                }
            }
        }
        return base;
    }

    private static JsonNode mergeList(String field, JsonNode existing, ArrayNode patch) {
        String mergeKey = MERGE_KEYS.get(field);
        if (MERGED_PRIMITIVE_LISTS.contains(field)) {
            ArrayNode merged = existing != null && existing.isArray() ? ((ArrayNode) existing).deepCopy()
                    : JsonNodeFactory.instance.arrayNode();
            patch.forEach(item -> {
                if (!contains(merged, item)) {
                    merged.add(item.deepCopy());
                }
            });
            return merged;
        }
        if (mergeKey == null || existing == null || !existing.isArray()) {
            if (mergeKey != null) {
                // no list yet: drop delete directives, keep the elements
                ArrayNode fresh = JsonNodeFactory.instance.arrayNode();
                patch.forEach(item -> {
                    if (!(item.isObject() && Json.text(item, DIRECTIVE).equals("delete"))) {
                        fresh.add(item.isObject() ? stripDirectives(((ObjectNode) item).deepCopy()) : item);
                    }
                });
                return fresh;
            }
            return patch.deepCopy();
        }
        for (JsonNode item : patch) {
            if (item.isObject() && Json.text(item, DIRECTIVE).equals("replace")) {
                ArrayNode replaced = JsonNodeFactory.instance.arrayNode();
                patch.forEach(other -> {
                    if (!(other.isObject() && other.has(DIRECTIVE))) {
                        replaced.add(other.deepCopy());
                    }
                });
                return replaced;
            }
        }
        ArrayNode merged = ((ArrayNode) existing).deepCopy();
        for (JsonNode item : patch) {
            if (!item.isObject()) {
                merged.add(item.deepCopy());
                continue;
            }
            JsonNode key = item.get(mergeKey);
            int at = indexOf(merged, mergeKey, key);
            if (Json.text(item, DIRECTIVE).equals("delete")) {
                if (at >= 0) {
                    merged.remove(at);
                }
            } else if (at >= 0) {
                merged.set(at, mergeObject((ObjectNode) merged.get(at), (ObjectNode) item));
            } else {
                merged.add(stripDirectives(((ObjectNode) item).deepCopy()));
            }
        }
        return merged;
    }

    private static ArrayNode reorder(String field, ArrayNode list, JsonNode order) {
        String mergeKey = MERGE_KEYS.get(field);
        if (!order.isArray()) {
            return list;
        }
        ArrayNode ordered = JsonNodeFactory.instance.arrayNode();
        List<JsonNode> rest = new ArrayList<>();
        list.forEach(rest::add);
        for (JsonNode wanted : order) {
            for (Iterator<JsonNode> it = rest.iterator(); it.hasNext(); ) {
                JsonNode item = it.next();
                boolean same = mergeKey == null ? item.equals(wanted)
                        : item.isObject() && Objects.equals(item.get(mergeKey), wanted.get(mergeKey));
                if (same) {
                    ordered.add(item);
                    it.remove();
                    break;
                }
            }
        }
        rest.forEach(ordered::add);
        return ordered;
    }

    private static ObjectNode stripDirectives(ObjectNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            if (name.startsWith("$")) {
                node.remove(name);
            } else if (node.get(name) instanceof ObjectNode child) {
                stripDirectives(child);
            } else if (node.get(name) instanceof ArrayNode array) {
                array.forEach(item -> {
                    if (item instanceof ObjectNode o) {
                        stripDirectives(o);
                    }
                });
            }
        }
        return node;
    }

    private static int indexOf(ArrayNode list, String mergeKey, JsonNode key) {
        for (int i = 0; i < list.size(); i++) {
            if (Objects.equals(list.get(i).get(mergeKey), key)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean contains(JsonNode array, JsonNode item) {
        for (JsonNode element : array) {
            if (element.equals(item)) {
                return true;
            }
        }
        return false;
    }
}
