package dev.ferry.devkit.apiserver.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A registered watch: events matching its type, namespace and selectors are queued for the one thread that writes
 * them to the client. Close it when the client goes away.
 */
public final class Watch implements AutoCloseable {

    /** More queued events than this means the client does not keep up: the watch ends, the client re-watches. */
    static final int MAX_PENDING = 100_000;

    private final ObjectStore store;
    private final ResourceType type;
    private final String namespace;
    private final LabelSelector labels;
    private final FieldSelector fields;
    private final LinkedBlockingQueue<WatchEvent> queue = new LinkedBlockingQueue<>();
    private volatile boolean closed;
    private volatile long lastResourceVersion;

    Watch(ObjectStore store, ResourceType type, String namespace, LabelSelector labels, FieldSelector fields) {
        this.store = store;
        this.type = type;
        this.namespace = namespace;
        this.labels = labels;
        this.fields = fields;
    }

    ResourceType type() {
        return type;
    }

    boolean matches(ObjectNode stored) {
        return stored != null && (namespace == null || namespace.equals(Json.namespace(stored)))
                && labels.matches(stored) && fields.matches(stored);
    }

    /** Queues what a change means to this watch: an add, a modification, a delete, or nothing. */
    void offer(ObjectStore.Change change) {
        lastResourceVersion = change.resourceVersion();
        if (closed || !change.storage().equals(type.storage())) {
            return;
        }
        boolean before = change.previous() != null && matches(change.previous());
        boolean after = matches(change.object());
        String eventType = switch (change.type()) {
            case ADDED -> after ? "ADDED" : null;
            case DELETED -> after ? "DELETED" : null;
            case MODIFIED -> before && after ? "MODIFIED" : after ? "ADDED" : before ? "DELETED" : null;
        };
        if (eventType == null) {
            return;
        }
        enqueue(new WatchEvent(eventType, store.view(type, change.object())));
    }

    void enqueue(WatchEvent event) {
        if (queue.size() >= MAX_PENDING) {
            close();
            return;
        }
        queue.add(event);
    }

    /**
     * The next event, waiting at most {@code timeoutMillis}; null when none came (or the watch is closed).
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public WatchEvent next(long timeoutMillis) throws InterruptedException {
        if (closed && queue.isEmpty()) {
            return null;
        }
        return queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Queues a BOOKMARK event carrying the newest resourceVersion, behind every event up to it, so a client that
     * resumes from the bookmark misses nothing.
     */
    public void requestBookmark() {
        store.bookmark(this, false);
    }

    WatchEvent bookmark(boolean initialEventsEnd) {
        ObjectNode object = Json.object();
        object.put("kind", type.kind()).put("apiVersion", type.apiVersion());
        ObjectNode metadata = object.putObject("metadata");
        metadata.put("resourceVersion", Long.toString(lastResourceVersion));
        if (initialEventsEnd) {
            metadata.putObject("annotations").put("k8s.io/initial-events-end", "true");
        }
        return new WatchEvent("BOOKMARK", object);
    }

    void seen(long resourceVersion) {
        lastResourceVersion = resourceVersion;
    }

    @Override
    public void close() {
        closed = true;
        store.unregister(this);
    }
}
