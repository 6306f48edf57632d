package dev.ferry.devkit.apiserver.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.devkit.apiserver.model.ApiException.Cause;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The in-memory object store with the semantics of kube-apiserver over etcd that clients depend on.
 *
 * <ul>
 *   <li>One global resourceVersion, bumped by every write; a write that carries a resourceVersion other than the
 *       stored one fails with 409 Conflict (status writes included); a write that changes nothing is not a write.</li>
 *   <li>Status subresource rules: a main-resource write keeps the stored status, a status write keeps everything
 *       but the status; a pod's status starts as Pending whatever the create sent; a pod's spec is immutable but for
 *       images, the active deadline, tolerations and the grace period; {@code spec.nodeName} is set through the
 *       binding subresource.</li>
 *   <li>Graceful deletion of pods: a delete with a grace period sets {@code deletionTimestamp} and
 *       {@code deletionGracePeriodSeconds} and keeps the pod until a delete with grace period 0 (what the kubelet
 *       sends when the containers are gone); later deletes may only shorten the period. Unscheduled and finished pods
 *       go at once. Finalizers hold any object until they are removed.</li>
 *   <li>A bounded event log from which a watch resumes at a resourceVersion; an older resourceVersion answers
 *       410 Gone (reason Expired).</li>
 * </ul>
 *
 * <p>Events expire a while after their last write ({@code --event-ttl}, one hour by default, as in Kubernetes), with a
 * DELETED watch event. Not modelled: admission, quota, garbage collection of owned objects (propagation policies
 * are ignored), managed fields. Deleting a namespace deletes its objects at once. All methods are thread-safe.
 */
public final class ObjectStore {

    /** What happened to a stored object. */
    public enum ChangeType { ADDED, MODIFIED, DELETED }

    /** One write, in the stored form; {@code previous} is null for ADDED. */
    public record Change(long resourceVersion, ChangeType type, String storage, ObjectNode previous,
                         ObjectNode object) {
    }

    /** A page of a list: the items (as the type's view), the list's resourceVersion and the continue token. */
    public record Page(List<ObjectNode> items, long resourceVersion, String continueToken, long remaining) {
    }

    /** The options of a delete that the store honours. */
    public record DeleteOptions(Long gracePeriodSeconds, String preconditionUid, String preconditionResourceVersion) {
        public static final DeleteOptions DEFAULT = new DeleteOptions(null, null, null);
    }

    /** The outcome of a delete: the object as it is now (or was last), and whether it is gone. */
    public record Deletion(ObjectNode object, boolean gone) {
    }

    public static final Set<String> PROTECTED_NAMESPACES = Set.of("default", "kube-system", "kube-public");
    public static final List<String> INITIAL_NAMESPACES = List.of("default", "kube-system", "kube-public",
            "kube-node-lease");
    private static final String NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    /** kube-apiserver's default {@code --event-ttl}. */
    public static final java.time.Duration DEFAULT_EVENT_TTL = java.time.Duration.ofHours(1);

    /** When a written event expires, unless it was written again since (then its resourceVersion differs). */
    private record Expiry(Instant at, String key, String resourceVersion) {
    }

    private final Clock clock;
    private final int logCapacity;
    private final Map<String, NavigableMap<String, ObjectNode>> data = new HashMap<>();
    private final ArrayDeque<Change> log = new ArrayDeque<>();
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
    private final SecureRandom random = new SecureRandom();
    private final java.time.Duration eventTtl;
    private final ArrayDeque<Expiry> eventExpiries = new ArrayDeque<>();
    private long resourceVersion;
    private long compactedResourceVersion;
    private boolean expiring;

    /**
     * @param clock       the time of creationTimestamp and deletionTimestamp
     * @param logCapacity how many writes a watch can resume across
     */
    public ObjectStore(Clock clock, int logCapacity) {
        this(clock, logCapacity, DEFAULT_EVENT_TTL);
    }

    /**
     * @param clock       the time of creationTimestamp and deletionTimestamp
     * @param logCapacity how many writes a watch can resume across
     * @param eventTtl    how long an event lives after its last write
     */
    public ObjectStore(Clock clock, int logCapacity, java.time.Duration eventTtl) {
        if (eventTtl.isNegative() || eventTtl.isZero()) {
            throw new IllegalArgumentException("the event TTL must be positive, not " + eventTtl);
        }
        this.eventTtl = eventTtl;
        if (logCapacity < 1) {
            throw new IllegalArgumentException("the event log must hold at least one event, not " + logCapacity);
        }
        this.clock = clock;
        this.logCapacity = logCapacity;
        for (String namespace : INITIAL_NAMESPACES) {
            ObjectNode ns = Json.object();
            ns.put("apiVersion", "v1").put("kind", "Namespace");
            ns.putObject("metadata").put("name", namespace);
            create(ResourceTypes.NAMESPACES, null, ns, false);
        }
    }

    public Clock clock() {
        return clock;
    }

    /** The newest resourceVersion. */
    public synchronized long resourceVersion() {
        return resourceVersion;
    }

    /** Calls {@code listener} after every write, under the store's lock: it must be quick and must not write. */
    public void addListener(Consumer<Change> listener) {
        listeners.add(listener);
    }

    // ------------------------------------------------------------------ reads

    /**
     * One object, in the type's view.
     *
     * @throws ApiException 404 when it does not exist
     */
    public synchronized ObjectNode get(ResourceType type, String namespace, String name) {
        ObjectNode stored = stored(type, namespace, name);
        if (stored == null) {
            throw ApiException.notFound(type, name);
        }
        return view(type, stored);
    }

    /** The stored objects of a type in one namespace (null: all), as views, by namespace and name. */
    public synchronized List<ObjectNode> list(ResourceType type, String namespace) {
        return list(type, namespace, LabelSelector.everything(), FieldSelector.everything(), 0, null).items();
    }

    /**
     * A page of a list.
     *
     * @param limit         at most this many items (0: all)
     * @param continueToken the token of the previous page, or null
     */
    public synchronized Page list(ResourceType type, String namespace, LabelSelector labels, FieldSelector fields,
                                  long limit, String continueToken) {
        NavigableMap<String, ObjectNode> range = objects(type.storage());
        String after = continueToken == null || continueToken.isEmpty() ? null : decodeContinue(continueToken);
        if (namespace != null && type.namespaced()) {
            range = range.subMap(namespace + "/", true, namespace + "0", false);
        }
        List<ObjectNode> items = new ArrayList<>();
        String lastKey = null;
        long remaining = 0;
        for (Map.Entry<String, ObjectNode> entry : range.entrySet()) {
            ObjectNode stored = entry.getValue();
            if (after != null && entry.getKey().compareTo(after) <= 0) {
                continue;
            }
            if (!labels.matches(stored) || !fields.matches(stored)) {
                continue;
            }
            if (limit > 0 && items.size() >= limit) {
                remaining++;
                continue;
            }
            items.add(view(type, stored));
            lastKey = entry.getKey();
        }
        String next = remaining > 0 ? encodeContinue(lastKey) : null;
        return new Page(items, resourceVersion, next, remaining);
    }

    private static String encodeContinue(String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeContinue(String token) {
        try {
            return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid continue token \"" + token + "\": pass the metadata.continue of "
                    + "the previous page unchanged");
        }
    }

    // ------------------------------------------------------------------ create

    /**
     * Creates an object.
     *
     * @param namespace the namespace of the URL (null for cluster-scoped types)
     * @param dryRun    validate and answer as if created, but store nothing
     * @return the created object
     * @throws ApiException 400 (kind or namespace mismatch), 404 (missing namespace), 409 (exists), 422 (invalid)
     */
    public synchronized ObjectNode create(ResourceType type, String namespace, ObjectNode body, boolean dryRun) {
        ObjectNode object = incoming(type, namespace, body);
        ObjectNode metadata = Json.metadata(object);
        if (!Json.text(metadata, "resourceVersion").isEmpty()) {
            throw ApiException.badRequest("resourceVersion should not be set on objects to be created (metadata."
                    + "resourceVersion is \"" + Json.text(metadata, "resourceVersion") + "\")");
        }
        if (Json.name(object).isEmpty() && !Json.text(metadata, "generateName").isEmpty()) {
            metadata.put("name", generateName(type, namespace, Json.text(metadata, "generateName")));
        }
        validate(type, object);
        if (type.namespaced()) {
            requireNamespace(namespace);
        }
        String name = Json.name(object);
        if (stored(type, namespace, name) != null) {
            throw ApiException.alreadyExists(type, name);
        }
        metadata.put("uid", UUID.randomUUID().toString());
        metadata.put("creationTimestamp", Json.time(clock.instant()));
        metadata.remove("deletionTimestamp");
        metadata.remove("deletionGracePeriodSeconds");
        if (type.storage().equals(ResourceTypes.PODS.storage())) {
            PodRules.applyDefaults(object);
            object.set("status", PodRules.initialStatus(object));
        } else if (type.storage().equals(ResourceTypes.NAMESPACES.storage())) {
            object.putObject("status").put("phase", "Active");
        } else if (type.statusRules() && !type.createKeepsStatus()) {
            object.remove("status");
        }
        if (dryRun) {
            return view(type, object);
        }
        commit(ChangeType.ADDED, type.storage(), key(namespace, name), null, object);
        return view(type, object);
    }

    private String generateName(ResourceType type, String namespace, String prefix) {
        for (int attempt = 0; attempt < 100; attempt++) {
            StringBuilder name = new StringBuilder(prefix);
            for (int i = 0; i < 5; i++) {
                name.append(NAME_ALPHABET.charAt(random.nextInt(NAME_ALPHABET.length())));
            }
            if (stored(type, namespace, name.toString()) == null) {
                return name.toString();
            }
        }
        throw new ApiException(500, "InternalError", "could not generate a unique name from \"" + prefix + "\"");
    }

    // ------------------------------------------------------------------ update

    /**
     * Replaces an object (PUT), or its status when {@code status} is true.
     *
     * @throws ApiException 404 (missing), 409 (stale resourceVersion), 422 (invalid or forbidden change)
     */
    public synchronized ObjectNode update(ResourceType type, String namespace, String name, ObjectNode body,
                                          boolean status, boolean dryRun) {
        ObjectNode incoming = incoming(type, namespace, body);
        ObjectNode incomingMeta = Json.metadata(incoming);
        String bodyName = Json.name(incoming);
        if (bodyName.isEmpty()) {
            incomingMeta.put("name", name);
        } else if (!bodyName.equals(name)) {
            throw ApiException.badRequest("the name of the object (" + bodyName + ") does not match the name on the "
                    + "URL (" + name + ")");
        }
        ObjectNode existing = stored(type, namespace, name);
        if (existing == null) {
            if (type.allowCreateOnUpdate() && !status) {
                incomingMeta.remove("resourceVersion");
                return create(type, namespace, incoming, dryRun);
            }
            throw ApiException.notFound(type, name);
        }
        String expected = Json.text(incomingMeta, "resourceVersion");
        if (!expected.isEmpty() && !expected.equals(Json.text(existing, "metadata.resourceVersion"))) {
            throw ApiException.staleResourceVersion(type, name);
        }
        ObjectNode next;
        if (status) {
            next = existing.deepCopy();
            JsonNode newStatus = incoming.get("status");
            if (newStatus == null || newStatus.isNull()) {
                next.remove("status");
            } else {
                next.set("status", newStatus.deepCopy());
            }
        } else {
            next = incoming;
            ObjectNode meta = Json.metadata(next);
            ObjectNode oldMeta = Json.metadata(existing);
            for (String kept : new String[] {"uid", "creationTimestamp", "deletionTimestamp",
                    "deletionGracePeriodSeconds", "namespace", "generation"}) {
                if (oldMeta.has(kept)) {
                    meta.set(kept, oldMeta.get(kept).deepCopy());
                } else {
                    meta.remove(kept);
                }
            }
            if (type.statusRules()) {
                if (existing.has("status")) {
                    next.set("status", existing.get("status").deepCopy());
                } else {
                    next.remove("status");
                }
            }
            validate(type, next);
            if (type.storage().equals(ResourceTypes.PODS.storage())) {
                PodRules.applyDefaults(next);
                List<Cause> causes = PodRules.checkSpecUpdate(existing, next);
                if (!causes.isEmpty()) {
                    throw ApiException.invalid(type, name, causes);
                }
            }
        }
        return write(type, namespace, name, existing, next, dryRun);
    }

    /**
     * Patches an object, or its status.
     *
     * @throws ApiException 400 (malformed patch), 404, 409, 415 (server-side apply), 422
     */
    public synchronized ObjectNode patch(ResourceType type, String namespace, String name, Patches.Type patchType,
                                         JsonNode patch, boolean status, boolean dryRun) {
        ObjectNode existing = stored(type, namespace, name);
        if (existing == null) {
            throw ApiException.notFound(type, name);
        }
        JsonNode patched = Patches.apply(patchType, view(type, existing), patch);
        if (!(patched instanceof ObjectNode object)) {
            throw new ApiException(422, "Invalid", "the patch turned the " + type.kind() + " into something that "
                    + "is not an object");
        }
        return update(type, namespace, name, object, status, dryRun);
    }

    /**
     * Binds a pod to a node, as the {@code pods/binding} subresource does for kube-scheduler: sets
     * {@code spec.nodeName} and the condition PodScheduled=True.
     *
     * @throws ApiException 404 (no pod), 409 (already bound, or being deleted), 422 (no target)
     */
    public synchronized ObjectNode bind(String namespace, String podName, ObjectNode binding) {
        ResourceType pods = ResourceTypes.PODS;
        String bindingName = Json.name(binding);
        if (!bindingName.isEmpty() && !bindingName.equals(podName)) {
            throw ApiException.badRequest("the name of the binding (" + bindingName + ") does not match the pod ("
                    + podName + ")");
        }
        String target = Json.text(binding, "target.name");
        if (target.isEmpty()) {
            throw new ApiException(422, "Invalid", "Binding \"" + podName + "\" is invalid: target.name: Required "
                    + "value", podName, "", "Binding", List.of(new Cause("FieldValueRequired", "Required value",
                    "target.name")));
        }
        ObjectNode existing = stored(pods, namespace, podName);
        if (existing == null) {
            throw ApiException.notFound(pods, podName);
        }
        if (existing.path("metadata").has("deletionTimestamp")) {
            throw ApiException.conflict(pods, podName, "pod " + podName + " is being deleted, cannot be assigned "
                    + "to a host");
        }
        String current = Json.text(existing, "spec.nodeName");
        if (!current.isEmpty()) {
            throw ApiException.conflict(pods, podName, "pod " + podName + " is already assigned to node \""
                    + current + "\"");
        }
        ObjectNode next = existing.deepCopy();
        Json.with(next, "spec").put("nodeName", target);
        JsonNode annotations = Json.at(binding, "metadata.annotations");
        if (annotations != null && annotations.isObject()) {
            Json.with(Json.metadata(next), "annotations").setAll((ObjectNode) annotations.deepCopy());
        }
        Conditions.set(next, "PodScheduled", "True", null, null, clock.instant());
        return write(pods, namespace, podName, existing, next, false);
    }

    private ObjectNode write(ResourceType type, String namespace, String name, ObjectNode existing, ObjectNode next,
                             boolean dryRun) {
        ObjectNode oldMeta = Json.metadata(existing);
        ObjectNode newMeta = Json.metadata(next);
        boolean finalizersGone = !newMeta.has("finalizers") || newMeta.get("finalizers").isEmpty();
        boolean deleting = oldMeta.has("deletionTimestamp");
        long grace = oldMeta.path("deletionGracePeriodSeconds").asLong(0);
        newMeta.put("resourceVersion", Json.text(oldMeta, "resourceVersion"));
        if (deleting && finalizersGone && grace == 0) {
            if (!dryRun) {
                commit(ChangeType.DELETED, type.storage(), key(namespace, name), existing, next);
            }
            return view(type, next);
        }
        if (next.equals(existing) || dryRun) {
            return view(type, next);
        }
        commit(ChangeType.MODIFIED, type.storage(), key(namespace, name), existing, next);
        return view(type, next);
    }

    // ------------------------------------------------------------------ delete

    /**
     * Deletes an object: at once, or gracefully for a scheduled pod that has not finished, or held by finalizers.
     *
     * @throws ApiException 404, 409 (failed precondition), 403 (a namespace that may not be deleted)
     */
    public synchronized Deletion delete(ResourceType type, String namespace, String name, DeleteOptions options,
                                        boolean dryRun) {
        ObjectNode existing = stored(type, namespace, name);
        if (existing == null) {
            throw ApiException.notFound(type, name);
        }
        ObjectNode meta = Json.metadata(existing);
        if (options.preconditionUid() != null && !options.preconditionUid().equals(Json.text(meta, "uid"))) {
            throw ApiException.conflict(type, name, "Precondition failed: UID in precondition: "
                    + options.preconditionUid() + ", UID in object meta: " + Json.text(meta, "uid"));
        }
        if (options.preconditionResourceVersion() != null
                && !options.preconditionResourceVersion().equals(Json.text(meta, "resourceVersion"))) {
            throw ApiException.conflict(type, name, "Precondition failed: ResourceVersion in precondition: "
                    + options.preconditionResourceVersion() + ", ResourceVersion in object meta: "
                    + Json.text(meta, "resourceVersion"));
        }
        if (type.storage().equals(ResourceTypes.NAMESPACES.storage())) {
            return deleteNamespace(type, name, existing, dryRun);
        }
        long grace = 0;
        if (type.storage().equals(ResourceTypes.PODS.storage())) {
            grace = podGracePeriod(existing, options);
        }
        Instant now = clock.instant();
        boolean hasFinalizers = meta.has("finalizers") && !meta.get("finalizers").isEmpty();
        if (meta.has("deletionTimestamp") && grace >= meta.path("deletionGracePeriodSeconds").asLong(0)
                && (grace > 0 || hasFinalizers)) {
            return new Deletion(view(type, existing), false); // a later delete may only shorten the period
        }
        if (grace == 0 && !hasFinalizers) {
            if (!dryRun) {
                commit(ChangeType.DELETED, type.storage(), key(namespace, name), existing, existing.deepCopy());
            }
            return new Deletion(view(type, existing), true);
        }
        ObjectNode next = existing.deepCopy();
        ObjectNode nextMeta = Json.metadata(next);
        nextMeta.put("deletionTimestamp", Json.time(now.plusSeconds(grace)));
        nextMeta.put("deletionGracePeriodSeconds", grace);
        if (!dryRun) {
            commit(ChangeType.MODIFIED, type.storage(), key(namespace, name), existing, next);
        }
        return new Deletion(view(type, next), false);
    }

    private static long podGracePeriod(ObjectNode pod, DeleteOptions options) {
        if (Json.text(pod, "spec.nodeName").isEmpty() || PodRules.isTerminal(pod)) {
            return 0; // nothing runs it: no kubelet will confirm, so it goes at once (as in Kubernetes)
        }
        long grace;
        if (options.gracePeriodSeconds() != null) {
            grace = options.gracePeriodSeconds();
        } else if (pod.path("spec").has("terminationGracePeriodSeconds")) {
            grace = pod.path("spec").path("terminationGracePeriodSeconds").asLong();
        } else {
            grace = 30;
        }
        return grace < 0 ? 1 : grace;
    }

    private Deletion deleteNamespace(ResourceType type, String name, ObjectNode existing, boolean dryRun) {
        if (PROTECTED_NAMESPACES.contains(name)) {
            throw new ApiException(403, "Forbidden", "namespaces \"" + name + "\" is forbidden: this namespace may "
                    + "not be deleted", name, "", "namespaces", List.of());
        }
        if (dryRun) {
            return new Deletion(view(type, existing), true);
        }
        for (Map.Entry<String, NavigableMap<String, ObjectNode>> storage : data.entrySet()) {
            if (storage.getKey().equals(ResourceTypes.NAMESPACES.storage())) {
                continue;
            }
            List<Map.Entry<String, ObjectNode>> inside = new ArrayList<>(
                    storage.getValue().subMap(name + "/", true, name + "0", false).entrySet());
            for (Map.Entry<String, ObjectNode> entry : inside) {
                commit(ChangeType.DELETED, storage.getKey(), entry.getKey(), entry.getValue(),
                        entry.getValue().deepCopy());
            }
        }
        commit(ChangeType.DELETED, type.storage(), key(null, name), existing, existing.deepCopy());
        return new Deletion(view(type, existing), true);
    }

    // ------------------------------------------------------------------ watch

    /**
     * Starts a watch.
     *
     * @param resourceVersion   null, {@code ""} or {@code "0"}: the current objects as ADDED, then what follows;
     *                          otherwise every change after it
     * @param sendInitialEvents with a resourceVersion: the current objects first anyway, then a BOOKMARK marking
     *                          the end of the initial events (the watch-list protocol)
     * @throws ApiException 410 Expired when the log no longer reaches back to {@code resourceVersion}; 400 when it
     *                      is not a number
     */
    public synchronized Watch watch(ResourceType type, String namespace, LabelSelector labels, FieldSelector fields,
                                    String resourceVersion, boolean sendInitialEvents) {
        Watch watch = new Watch(this, type, namespace != null && type.namespaced() ? namespace : null, labels,
                fields);
        watch.seen(this.resourceVersion);
        boolean fromNow = resourceVersion == null || resourceVersion.isEmpty() || resourceVersion.equals("0");
        if (fromNow || sendInitialEvents) {
            for (ObjectNode stored : objects(type.storage()).values()) {
                if (watch.matches(stored)) {
                    watch.enqueue(new WatchEvent("ADDED", view(type, stored)));
                }
            }
            if (sendInitialEvents) {
                watch.enqueue(watch.bookmark(true));
            }
        } else {
            long from = parseResourceVersion(resourceVersion);
            if (from < compactedResourceVersion) {
                throw ApiException.gone("too old resource version: " + from + " (" + (compactedResourceVersion + 1)
                        + ")");
            }
            for (Change change : log) {
                if (change.resourceVersion() > from) {
                    watch.offer(change);
                }
            }
            watch.seen(this.resourceVersion);
        }
        watches.add(watch);
        return watch;
    }

    synchronized void bookmark(Watch watch, boolean initialEventsEnd) {
        if (!watch.isClosed()) {
            watch.enqueue(watch.bookmark(initialEventsEnd));
        }
    }

    void unregister(Watch watch) {
        watches.remove(watch);
    }

    /** How many watches are open (for tests and diagnostics). */
    public int openWatches() {
        return watches.size();
    }

    /** Ends every watch (the server is stopping). */
    public void closeWatches() {
        watches.forEach(Watch::close);
    }

    private static long parseResourceVersion(String text) {
        try {
            long value = Long.parseLong(text);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid resource version \"" + text + "\": it is a number taken from "
                    + "metadata.resourceVersion of an object or a list");
        }
    }

    // ------------------------------------------------------------------ internals

    private void commit(ChangeType changeType, String storage, String key, ObjectNode previous, ObjectNode object) {
        resourceVersion++;
        Json.metadata(object).put("resourceVersion", Long.toString(resourceVersion));
        if (changeType == ChangeType.DELETED) {
            objects(storage).remove(key);
        } else {
            objects(storage).put(key, object);
        }
        Change change = new Change(resourceVersion, changeType, storage, previous, object);
        log.addLast(change);
        while (log.size() > logCapacity) {
            compactedResourceVersion = log.removeFirst().resourceVersion();
        }
        for (Watch watch : watches) {
            watch.offer(change);
        }
        for (Consumer<Change> listener : listeners) {
            listener.accept(change);
        }
        if (storage.equals(ResourceTypes.EVENTS.storage()) && changeType != ChangeType.DELETED) {
            eventExpiries.addLast(new Expiry(clock.instant().plus(eventTtl), key,
                    Long.toString(resourceVersion)));
        }
        expireEvents();
    }

    /** Deletes the events whose time is up; runs after every write, so it needs no timer thread. */
    private void expireEvents() {
        if (expiring) {
            return;
        }
        expiring = true;
        try {
            Instant now = clock.instant();
            while (!eventExpiries.isEmpty() && !eventExpiries.peekFirst().at().isAfter(now)) {
                Expiry expiry = eventExpiries.removeFirst();
                NavigableMap<String, ObjectNode> events = objects(ResourceTypes.EVENTS.storage());
                ObjectNode event = events.get(expiry.key());
                if (event != null && Json.text(event, "metadata.resourceVersion").equals(expiry.resourceVersion())) {
                    commit(ChangeType.DELETED, ResourceTypes.EVENTS.storage(), expiry.key(), event, event.deepCopy());
                }
            }
        } finally {
            expiring = false;
        }
    }

    /** Checks kind, apiVersion and namespace against the URL, converts to the stored form. */
    private ObjectNode incoming(ResourceType type, String namespace, ObjectNode body) {
        String kind = Json.text(body, "kind");
        if (!kind.isEmpty() && !kind.equals(type.kind())) {
            throw ApiException.badRequest("the kind of the object (" + kind + ") does not match the URL, which "
                    + "takes " + type.kind() + " (" + type.apiVersion() + " " + type.plural() + ")");
        }
        String apiVersion = Json.text(body, "apiVersion");
        if (!apiVersion.isEmpty() && !apiVersion.equals(type.apiVersion())) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion + ") does not match the "
                    + "expected API version (" + type.apiVersion() + ")");
        }
        JsonNode metadata = body.get("metadata");
        if (metadata != null && !metadata.isObject() && !metadata.isNull()) {
            throw ApiException.badRequest("metadata must be an object");
        }
        ObjectNode object = type.toStorage().apply(body.deepCopy());
        ObjectNode stored = Json.object();
        stored.put("kind", storageKind(type)).put("apiVersion", storageApiVersion(type));
        object.properties().forEach(e -> {
            if (!e.getKey().equals("kind") && !e.getKey().equals("apiVersion")) {
                stored.set(e.getKey(), e.getValue());
            }
        });
        ObjectNode meta = Json.metadata(stored);
        if (type.namespaced()) {
            String bodyNamespace = Json.text(meta, "namespace");
            if (!bodyNamespace.isEmpty() && !bodyNamespace.equals(namespace)) {
                throw ApiException.badRequest("the namespace of the provided object (" + bodyNamespace + ") does "
                        + "not match the namespace sent on the request (" + namespace + ")");
            }
            meta.put("namespace", namespace);
        } else {
            meta.remove("namespace");
        }
        meta.remove("managedFields");
        if (type.storage().equals(ResourceTypes.SECRETS.storage())) {
            normaliseSecret(type, stored);
        }
        return stored;
    }

    private static String storageKind(ResourceType type) {
        return type.kind();
    }

    private static String storageApiVersion(ResourceType type) {
        return type == ResourceTypes.EVENTS_V1 ? ResourceTypes.EVENTS.apiVersion() : type.apiVersion();
    }

    /** {@code stringData} goes into {@code data}, base64-encoded; {@code data} must be base64; type defaults. */
    private static void normaliseSecret(ResourceType type, ObjectNode secret) {
        if (!secret.hasNonNull("type")) {
            secret.put("type", "Opaque");
        }
        JsonNode data = secret.get("data");
        if (data != null && data.isObject()) {
            for (Map.Entry<String, JsonNode> entry : data.properties()) {
                try {
                    Base64.getDecoder().decode(entry.getValue().asText());
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("Secret \"" + Json.name(secret) + "\": data[" + entry.getKey()
                            + "] is not base64: " + e.getMessage() + " (use stringData for plain text)");
                }
            }
        }
        JsonNode stringData = secret.remove("stringData");
        if (stringData != null && stringData.isObject()) {
            ObjectNode target = Json.with(secret, "data");
            stringData.properties().forEach(e -> target.put(e.getKey(), Base64.getEncoder().encodeToString(
                    e.getValue().asText().getBytes(StandardCharsets.UTF_8))));
        }
    }

    private void validate(ResourceType type, ObjectNode object) {
        List<Cause> causes = new ArrayList<>(Validation.metadata(object, type));
        if (type.storage().equals(ResourceTypes.PODS.storage())) {
            causes.addAll(Validation.podSpec(object));
        }
        if (!causes.isEmpty()) {
            throw ApiException.invalid(type, Json.name(object), causes);
        }
    }

    private void requireNamespace(String namespace) {
        if (namespace == null || namespace.isEmpty()) {
            throw ApiException.badRequest("a namespace is required for this kind: use /api/v1/namespaces/{namespace}"
                    + "/... in the URL");
        }
        ObjectNode ns = stored(ResourceTypes.NAMESPACES, null, namespace);
        if (ns == null) {
            throw ApiException.notFound(ResourceTypes.NAMESPACES, namespace);
        }
        if (ns.path("metadata").has("deletionTimestamp")) {
            throw new ApiException(403, "Forbidden", "unable to create new content in namespace " + namespace
                    + " because it is being terminated");
        }
    }

    private ObjectNode stored(ResourceType type, String namespace, String name) {
        return objects(type.storage()).get(key(type.namespaced() ? namespace : null, name));
    }

    private NavigableMap<String, ObjectNode> objects(String storage) {
        return data.computeIfAbsent(storage, s -> new TreeMap<>());
    }

    private static String key(String namespace, String name) {
        return namespace == null ? name : namespace + "/" + name;
    }

    /** A stored object as the type presents it: a copy, converted, with kind and apiVersion first. */
    ObjectNode view(ResourceType type, ObjectNode stored) {
        ObjectNode converted = type.fromStorage().apply(stored.deepCopy());
        ObjectNode view = Json.object();
        view.put("kind", type.kind()).put("apiVersion", type.apiVersion());
        converted.properties().forEach(e -> {
            if (!e.getKey().equals("kind") && !e.getKey().equals("apiVersion")) {
                view.set(e.getKey(), e.getValue());
            }
        });
        return view;
    }
}
