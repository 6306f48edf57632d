package dev.ferry.devkit.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.ferry.devkit.apiserver.model.ApiException;
import dev.ferry.devkit.apiserver.model.Discovery;
import dev.ferry.devkit.apiserver.model.FieldSelector;
import dev.ferry.devkit.apiserver.model.Json;
import dev.ferry.devkit.apiserver.model.LabelSelector;
import dev.ferry.devkit.apiserver.model.ObjectStore;
import dev.ferry.devkit.apiserver.model.OpenApi;
import dev.ferry.devkit.apiserver.model.ObjectStore.DeleteOptions;
import dev.ferry.devkit.apiserver.model.ObjectStore.Deletion;
import dev.ferry.devkit.apiserver.model.Patches;
import dev.ferry.devkit.apiserver.model.ResourceType;
import dev.ferry.devkit.apiserver.model.ResourceTypes;
import dev.ferry.devkit.apiserver.model.Tables;
import dev.ferry.devkit.apiserver.model.Watch;
import dev.ferry.devkit.apiserver.model.WatchEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes every request of the development API server: discovery, the resource verbs, watches, logs. */
final class ApiHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    private static final String JSON = "application/json";
    /** Bookmarks, when a watch allows them, this often (kube-apiserver sends one about every minute). */
    static final Duration BOOKMARK_INTERVAL = Duration.ofSeconds(30);

    private final ObjectStore store;
    private final KubeletLogProxy logs;
    private final BooleanSupplier stopping;
    private final String serverAddress;

    ApiHandler(ObjectStore store, KubeletLogProxy logs, BooleanSupplier stopping, String serverAddress) {
        this.store = store;
        this.logs = logs;
        this.stopping = stopping;
        this.serverAddress = serverAddress;
    }

    @Override
    public void handle(HttpExchange exchange) {
        ApiRequest request = null;
        try {
            request = new ApiRequest(exchange);
            LOG.debug("{}", request);
            route(request);
        } catch (ApiException e) {
            LOG.debug("{} -> {} {}", request, e.code(), e.getMessage());
            send(exchange, e.code(), e.toStatus());
        } catch (RuntimeException e) {
            LOG.warn("{} failed", request, e);
            send(exchange, 500, new ApiException(500, "InternalError", "the development API server failed: "
                    + e).toStatus());
        } finally {
            exchange.close();
        }
    }

    private void route(ApiRequest request) {
        List<String> s = request.segments;
        if (s.isEmpty()) {
            ObjectNode paths = Json.object();
            ArrayNode list = paths.putArray("paths");
            List.of("/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/version").forEach(list::add);
            ResourceTypes.groups().forEach((group, versions) -> {
                list.add("/apis/" + group);
                versions.forEach(v -> list.add("/apis/" + group + "/" + v));
            });
            sendJson(request, 200, paths);
            return;
        }
        switch (s.get(0)) {
            case "version" -> sendJson(request, 200, Discovery.version());
            case "healthz", "livez", "readyz" -> sendText(request.exchange, 200, "ok");
            case "api" -> {
                if (s.size() == 1) {
                    sendJson(request, 200, Discovery.coreVersions(serverAddress));
                } else if (s.get(1).equals("v1")) {
                    resources(request, "", "v1", s.subList(2, s.size()));
                } else {
                    throw ApiException.pathNotFound();
                }
            }
            case "apis" -> {
                if (s.size() == 1) {
                    sendJson(request, 200, Discovery.groups());
                    return;
                }
                List<String> versions = ResourceTypes.groups().get(s.get(1));
                if (versions == null) {
                    throw ApiException.pathNotFound();
                }
                if (s.size() == 2) {
                    sendJson(request, 200, Discovery.group(s.get(1), versions));
                } else if (versions.contains(s.get(2))) {
                    resources(request, s.get(1), s.get(2), s.subList(3, s.size()));
                } else {
                    throw ApiException.pathNotFound();
                }
            }
            case "openapi" -> openApi(request, s);
            default -> throw ApiException.pathNotFound();
        }
    }

    /** OpenAPI v3 without schemas ({@link OpenApi}); no v2, which kubectl only reads in protobuf. */
    private void openApi(ApiRequest request, List<String> s) {
        requireMethod(request, "GET");
        if (s.size() < 2 || !s.get(1).equals("v3")) {
            throw ApiException.pathNotFound();
        }
        if (s.size() == 2) {
            sendJson(request, 200, OpenApi.root());
            return;
        }
        ObjectNode doc = null;
        if (s.size() == 4 && s.get(2).equals("api")) {
            doc = OpenApi.groupVersion("", s.get(3));
        } else if (s.size() == 5 && s.get(2).equals("apis")) {
            doc = OpenApi.groupVersion(s.get(3), s.get(4));
        }
        if (doc == null) {
            throw ApiException.pathNotFound();
        }
        sendJson(request, 200, doc);
    }

    // ------------------------------------------------------------------ resources

    private void resources(ApiRequest request, String group, String version, List<String> s) {
        if (s.isEmpty()) {
            requireMethod(request, "GET");
            sendJson(request, 200, Discovery.resources(group, version));
            return;
        }
        String namespace = null;
        List<String> rest = s;
        boolean namespaceSubresource = group.isEmpty() && s.get(0).equals("namespaces") && s.size() == 3
                && (s.get(2).equals("status") || s.get(2).equals("finalize"));
        if (s.get(0).equals("namespaces") && s.size() >= 3 && !namespaceSubresource) {
            namespace = s.get(1);
            rest = s.subList(2, s.size());
        }
        if (rest.size() > 3) {
            throw ApiException.pathNotFound();
        }
        if (group.isEmpty() && rest.get(0).equals("bindings") && namespace != null && rest.size() == 1) {
            requireMethod(request, "POST");
            ObjectNode binding = readObject(request);
            bind(request, namespace, Json.name(binding), binding);
            return;
        }
        ResourceType type = ResourceTypes.find(group, version, rest.get(0)).orElseThrow(ApiException::pathNotFound);
        if (namespace != null && !type.namespaced()) {
            throw ApiException.pathNotFound();
        }
        String name = rest.size() > 1 ? rest.get(1) : null;
        String subresource = rest.size() > 2 ? rest.get(2) : null;
        if (name != null && type.namespaced() && namespace == null) {
            throw ApiException.pathNotFound();
        }
        if (subresource != null && subresource.equals("finalize") && type == ResourceTypes.NAMESPACES) {
            subresource = "status"; // the namespace finalize subresource writes what matters here the same way
        }
        if (name == null) {
            collection(request, type, namespace);
        } else if (subresource == null) {
            item(request, type, namespace, name);
        } else if (!type.hasSubresource(subresource)) {
            throw ApiException.pathNotFound();
        } else {
            switch (subresource) {
                case "status" -> status(request, type, namespace, name);
                case "binding" -> {
                    requireMethod(request, "POST");
                    bind(request, namespace, name, readObject(request));
                }
                case "log" -> {
                    requireMethod(request, "GET");
                    logs.stream(request, store.get(type, namespace, name));
                }
                default -> throw ApiException.pathNotFound();
            }
        }
    }

    private void collection(ApiRequest request, ResourceType type, String namespace) {
        switch (request.method) {
            case "GET" -> {
                LabelSelector labels = LabelSelector.parse(request.param("labelSelector"));
                FieldSelector fields = FieldSelector.parse(request.param("fieldSelector")).validateFor(type);
                if (request.flag("watch")) {
                    watch(request, type, namespace, labels, fields);
                    return;
                }
                long limit = request.longParam("limit") == null ? 0 : request.longParam("limit");
                ObjectStore.Page page = store.list(type, namespace, labels, fields, limit, request.param("continue"));
                if (request.wantsTable()) {
                    sendJson(request, 200, Tables.table(type, page.items(), page.resourceVersion(),
                            page.continueToken(), request.param("includeObject"), true, store.clock().instant()));
                    return;
                }
                ObjectNode list = Json.object();
                list.put("kind", type.listKind()).put("apiVersion", type.apiVersion());
                ObjectNode metadata = list.putObject("metadata");
                metadata.put("resourceVersion", Long.toString(page.resourceVersion()));
                if (page.continueToken() != null) {
                    metadata.put("continue", page.continueToken());
                    metadata.put("remainingItemCount", page.remaining());
                }
                ArrayNode items = list.putArray("items");
                for (ObjectNode item : page.items()) {
                    item.remove("kind");
                    item.remove("apiVersion");
                    items.add(item);
                }
                sendJson(request, 200, list);
            }
            case "POST" -> {
                if (type.namespaced() && namespace == null) {
                    throw ApiException.methodNotAllowed("POST");
                }
                ObjectNode created = store.create(type, namespace, readObject(request), request.dryRun());
                sendJson(request, 201, created);
            }
            case "DELETE" -> {
                LabelSelector labels = LabelSelector.parse(request.param("labelSelector"));
                FieldSelector fields = FieldSelector.parse(request.param("fieldSelector")).validateFor(type);
                DeleteOptions options = deleteOptions(request);
                boolean dryRun = request.dryRun();
                ObjectNode list = Json.object();
                list.put("kind", type.listKind()).put("apiVersion", type.apiVersion());
                list.putObject("metadata");
                ArrayNode items = list.putArray("items");
                for (ObjectNode item : store.list(type, namespace, labels, fields, 0, null).items()) {
                    try {
                        Deletion deletion = store.delete(type, Json.namespace(item).isEmpty() ? null
                                : Json.namespace(item), Json.name(item), options, dryRun);
                        items.add(deletion.object());
                    } catch (ApiException e) {
                        if (e.code() != 404) {
                            throw e;
                        }
                    }
                }
                Json.metadata(list).put("resourceVersion", Long.toString(store.resourceVersion()));
                sendJson(request, 200, list);
            }
            default -> throw ApiException.methodNotAllowed(request.method);
        }
    }

    private void item(ApiRequest request, ResourceType type, String namespace, String name) {
        switch (request.method) {
            case "GET" -> {
                ObjectNode object = store.get(type, namespace, name);
                if (request.wantsTable()) {
                    sendJson(request, 200, Tables.table(type, List.of(object), store.resourceVersion(), null,
                            request.param("includeObject"), true, store.clock().instant()));
                } else {
                    sendJson(request, 200, object);
                }
            }
            case "PUT" -> sendJson(request, 200, store.update(type, namespace, name, readObject(request), false,
                    request.dryRun()));
            case "PATCH" -> sendJson(request, 200, patch(request, type, namespace, name, false));
            case "DELETE" -> {
                Deletion deletion = store.delete(type, namespace, name, deleteOptions(request), request.dryRun());
                sendJson(request, 200, deletion.object());
            }
            default -> throw ApiException.methodNotAllowed(request.method);
        }
    }

    private void status(ApiRequest request, ResourceType type, String namespace, String name) {
        switch (request.method) {
            case "GET" -> sendJson(request, 200, store.get(type, namespace, name));
            case "PUT" -> sendJson(request, 200, store.update(type, namespace, name, readObject(request), true,
                    request.dryRun()));
            case "PATCH" -> sendJson(request, 200, patch(request, type, namespace, name, true));
            default -> throw ApiException.methodNotAllowed(request.method);
        }
    }

    private ObjectNode patch(ApiRequest request, ResourceType type, String namespace, String name, boolean status) {
        Patches.Type patchType = Patches.Type.of(request.contentType());
        if (patchType == null) {
            throw ApiException.unsupportedMediaType("the body of a PATCH must be one of "
                    + "application/json-patch+json, application/merge-patch+json or "
                    + "application/strategic-merge-patch+json, not \"" + request.contentType() + "\"");
        }
        JsonNode patch = Json.parse(request.body(), patchType == Patches.Type.APPLY_PATCH, "patch");
        return store.patch(type, namespace, name, patchType, patch, status, request.dryRun());
    }

    private void bind(ApiRequest request, String namespace, String name, ObjectNode binding) {
        String kind = Json.text(binding, "kind");
        if (!kind.isEmpty() && !kind.equals("Binding")) {
            throw ApiException.badRequest("the kind of the object (" + kind + ") does not match the URL, which takes "
                    + "Binding");
        }
        String bindingNamespace = Json.namespace(binding);
        if (!bindingNamespace.isEmpty() && !bindingNamespace.equals(namespace)) {
            throw ApiException.badRequest("the namespace of the provided object (" + bindingNamespace + ") does not "
                    + "match the namespace sent on the request (" + namespace + ")");
        }
        if (name.isEmpty()) {
            throw ApiException.badRequest("the Binding has no metadata.name: name the pod to bind");
        }
        store.bind(namespace, name, binding);
        ObjectNode success = Json.object();
        success.put("kind", "Status").put("apiVersion", "v1");
        success.putObject("metadata");
        success.put("status", "Success").put("code", 201);
        sendJson(request, 201, success);
    }

    private DeleteOptions deleteOptions(ApiRequest request) {
        Long grace = request.longParam("gracePeriodSeconds");
        String uid = null;
        String resourceVersion = null;
        byte[] body = request.body();
        if (body.length > 0) {
            ObjectNode options = Json.parseObject(body, request.mediaType().contains("yaml"));
            JsonNode bodyGrace = options.get("gracePeriodSeconds");
            if (grace == null && bodyGrace != null && !bodyGrace.isNull()) {
                grace = bodyGrace.asLong();
            }
            String u = Json.text(options, "preconditions.uid");
            String rv = Json.text(options, "preconditions.resourceVersion");
            uid = u.isEmpty() ? null : u;
            resourceVersion = rv.isEmpty() ? null : rv;
        }
        return new DeleteOptions(grace, uid, resourceVersion);
    }

    private ObjectNode readObject(ApiRequest request) {
        String media = request.mediaType();
        boolean yaml = media.equals("application/yaml") || media.equals("application/x-yaml")
                || media.equals("text/yaml");
        if (!media.isEmpty() && !yaml && !media.equals(JSON) && !media.equals("*/*")) {
            throw ApiException.unsupportedMediaType("the body must be application/json or application/yaml, not \""
                    + request.contentType() + "\"" + (media.contains("protobuf") ? " (this development API server "
                    + "does not speak protobuf)" : ""));
        }
        return Json.parseObject(request.body(), yaml);
    }

    private static void requireMethod(ApiRequest request, String method) {
        if (!request.method.equals(method)) {
            throw ApiException.methodNotAllowed(request.method);
        }
    }

    // ------------------------------------------------------------------ watch

    private void watch(ApiRequest request, ResourceType type, String namespace, LabelSelector labels,
                       FieldSelector fields) {
        String upgrade = request.header("Upgrade");
        if (upgrade != null && upgrade.toLowerCase(java.util.Locale.ROOT).contains("websocket")) {
            // fabric8 (and client-go's WebSocket watch) fall back to an HTTP watch on 503, as against old servers
            throw new ApiException(503, "ServiceUnavailable", "this development API server serves watches over "
                    + "HTTP only, not WebSocket: watch again with a plain GET (fabric8: onlyHttpWatches)");
        }
        Long timeoutSeconds = request.longParam("timeoutSeconds");
        // like kube-apiserver: a watch without a timeout ends after 30 to 60 minutes, and clients watch again
        long timeoutMillis = timeoutSeconds != null && timeoutSeconds > 0 ? timeoutSeconds * 1000
                : ThreadLocalRandom.current().nextLong(30 * 60_000L, 60 * 60_000L);
        boolean bookmarks = request.flag("allowWatchBookmarks");
        boolean table = request.wantsTable();
        String includeObject = request.param("includeObject");
        Watch watch;
        WatchEvent gone = null;
        try {
            watch = store.watch(type, namespace, labels, fields, request.param("resourceVersion"),
                    request.flag("sendInitialEvents"));
        } catch (ApiException e) {
            if (e.code() != 410) {
                throw e;
            }
            watch = null;
            gone = new WatchEvent("ERROR", e.toStatus());
        }
        HttpExchange exchange = request.exchange;
        try {
            exchange.getResponseHeaders().set("Content-Type", JSON);
            exchange.getResponseHeaders().set("Cache-Control", "no-cache, private");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            if (gone != null) {
                write(out, gone);
                return;
            }
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
            long nextBookmark = System.nanoTime() + BOOKMARK_INTERVAL.toNanos();
            boolean firstTable = true;
            while (!stopping.getAsBoolean() && System.nanoTime() < deadline) {
                WatchEvent event = watch.next(250);
                if (event == null) {
                    if (watch.isClosed()) {
                        break;
                    }
                    if (bookmarks && System.nanoTime() > nextBookmark) {
                        watch.requestBookmark();
                        nextBookmark = System.nanoTime() + BOOKMARK_INTERVAL.toNanos();
                    }
                    continue;
                }
                if (event.type().equals("BOOKMARK") && !bookmarks
                        && !event.object().path("metadata").path("annotations").has("k8s.io/initial-events-end")) {
                    continue;
                }
                if (table && !event.type().equals("BOOKMARK") && !event.type().equals("ERROR")) {
                    event = new WatchEvent(event.type(), Tables.table(type, List.of(event.object()),
                            store.resourceVersion(), null, includeObject, firstTable, store.clock().instant()));
                    firstTable = false;
                }
                write(out, event);
            }
        } catch (IOException e) {
            LOG.debug("watch {} ended: the client went away ({})", request, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (watch != null) {
                watch.close();
            }
        }
    }

    private static void write(OutputStream out, WatchEvent event) throws IOException {
        byte[] bytes = Json.bytes(event.toJson());
        out.write(bytes);
        out.write('\n');
        out.flush();
    }

    // ------------------------------------------------------------------ responses

    private static void sendJson(ApiRequest request, int code, JsonNode body) {
        send(request.exchange, code, body);
    }

    static void send(HttpExchange exchange, int code, JsonNode body) {
        try {
            byte[] bytes = Json.bytes(body);
            exchange.getResponseHeaders().set("Content-Type", JSON);
            exchange.getResponseHeaders().set("Cache-Control", "no-cache, private");
            exchange.sendResponseHeaders(code, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            LOG.debug("cannot answer {}: {}", exchange.getRequestURI(), e.toString());
        } catch (IllegalStateException e) {
            LOG.debug("response to {} already started; cannot send {}", exchange.getRequestURI(), code);
        }
    }

    private static void sendText(HttpExchange exchange, int code, String text) {
        try {
            byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(code, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            LOG.debug("cannot answer {}: {}", exchange.getRequestURI(), e.toString());
        }
    }
}
