package dev.ferry.devkit.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.devkit.apiserver.model.ApiException;
import dev.ferry.devkit.apiserver.model.Conditions;
import dev.ferry.devkit.apiserver.model.Json;
import dev.ferry.devkit.apiserver.model.ObjectStore;
import dev.ferry.devkit.apiserver.model.PodRules;
import dev.ferry.devkit.apiserver.model.ResourceTypes;
import dev.ferry.devkit.apiserver.model.SchedulerFit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The minimal scheduler that stands in for kube-scheduler: binds each pod that has no {@code spec.nodeName} (and
 * asks for the default scheduler) to a node where it fits, through the same binding the {@code pods/binding}
 * subresource performs; a pod that fits nowhere gets {@code PodScheduled=False}, reason {@code Unschedulable},
 * with the real scheduler's message, and a FailedScheduling event. It tries again whenever a pod or a node
 * changes. Fit is decided by {@link SchedulerFit}.
 */
final class Scheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    static final String NAME = PodRules.DEFAULT_SCHEDULER;

    private final ObjectStore store;
    private final Semaphore wakeUp = new Semaphore(0);
    private final Thread thread;
    private volatile boolean running = true;

    Scheduler(ObjectStore store) {
        this.store = store;
        this.thread = new Thread(this::run, "ferry-dev-apiserver-scheduler");
        this.thread.setDaemon(true);
        store.addListener(change -> {
            if (change.storage().equals(ResourceTypes.PODS.storage())
                    || change.storage().equals(ResourceTypes.NODES.storage())) {
                wakeUp.release();
            }
        });
    }

    void start() {
        thread.start();
        wakeUp.release();
    }

    private void run() {
        while (running) {
            try {
                if (!wakeUp.tryAcquire(1, TimeUnit.SECONDS)) {
                    continue;
                }
                wakeUp.drainPermits();
                schedulePending();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("scheduling pass failed; trying again on the next change", e);
            }
        }
    }

    /** One pass over every pod waiting for a node. */
    void schedulePending() {
        List<ObjectNode> nodes = store.list(ResourceTypes.NODES, null);
        List<ObjectNode> pods = store.list(ResourceTypes.PODS, null);
        List<JsonNode> bound = new ArrayList<>();
        List<ObjectNode> pending = new ArrayList<>();
        for (ObjectNode pod : pods) {
            if (!Json.text(pod, "spec.nodeName").isEmpty()) {
                bound.add(pod);
            } else if (waitsForUs(pod)) {
                pending.add(pod);
            }
        }
        pending.sort(Comparator.comparing((ObjectNode p) -> Json.text(p, "metadata.creationTimestamp"))
                .thenComparing(p -> Json.namespace(p) + "/" + Json.name(p)));
        for (ObjectNode pod : pending) {
            String namespace = Json.namespace(pod);
            String name = Json.name(pod);
            MDC.put("pod", namespace + "/" + name);
            MDC.put("podUid", Json.text(pod, "metadata.uid"));
            try {
                SchedulerFit.Result result = SchedulerFit.schedule(pod, nodes, bound);
                if (result.node().isPresent()) {
                    bind(pod, result.node().get());
                    ObjectNode placed = pod.deepCopy();
                    Json.with(placed, "spec").put("nodeName", result.node().get());
                    bound.add(placed);
                } else {
                    markUnschedulable(pod, result.message());
                }
            } catch (ApiException e) {
                LOG.debug("pod {}/{} changed while it was being scheduled ({}); next pass", namespace, name,
                        e.getMessage());
            } finally {
                MDC.remove("pod");
                MDC.remove("podUid");
            }
        }
    }

    private static boolean waitsForUs(ObjectNode pod) {
        String scheduler = Json.text(pod, "spec.schedulerName");
        JsonNode gates = Json.at(pod, "spec.schedulingGates");
        return (scheduler.isEmpty() || scheduler.equals(NAME)) && !pod.path("metadata").has("deletionTimestamp")
                && !PodRules.isTerminal(pod) && (gates == null || gates.isEmpty());
    }

    private void bind(ObjectNode pod, String node) {
        ObjectNode binding = Json.object();
        binding.put("kind", "Binding").put("apiVersion", "v1");
        binding.putObject("metadata").put("name", Json.name(pod)).put("namespace", Json.namespace(pod))
                .put("uid", Json.text(pod, "metadata.uid"));
        binding.putObject("target").put("kind", "Node").put("apiVersion", "v1").put("name", node);
        store.bind(Json.namespace(pod), Json.name(pod), binding);
        LOG.info("Bound pod {}/{} to node {}", Json.namespace(pod), Json.name(pod), node);
        event(pod, "Normal", "Scheduled", "Successfully assigned " + Json.namespace(pod) + "/" + Json.name(pod)
                + " to " + node);
    }

    private void markUnschedulable(ObjectNode pod, String message) {
        ObjectNode updated = pod.deepCopy();
        if (!Conditions.set(updated, "PodScheduled", "False", "Unschedulable", message, store.clock().instant())) {
            return;
        }
        store.update(ResourceTypes.PODS, Json.namespace(pod), Json.name(pod), updated, true, false);
        LOG.info("Pod {}/{} is unschedulable: {}", Json.namespace(pod), Json.name(pod), message);
        event(pod, "Warning", "FailedScheduling", message);
    }

    private void event(ObjectNode pod, String type, String reason, String message) {
        Instant now = store.clock().instant();
        ObjectNode event = Json.object();
        event.put("kind", "Event").put("apiVersion", "v1");
        event.putObject("metadata").put("name", Json.name(pod) + "." + Long.toHexString(System.nanoTime()
                + now.toEpochMilli() * 1_000_000L)).put("namespace", Json.namespace(pod));
        event.putObject("involvedObject").put("kind", "Pod").put("namespace", Json.namespace(pod))
                .put("name", Json.name(pod)).put("uid", Json.text(pod, "metadata.uid")).put("apiVersion", "v1")
                .put("resourceVersion", Json.text(pod, "metadata.resourceVersion"));
        event.put("reason", reason).put("message", message).put("type", type);
        event.putObject("source").put("component", NAME);
        event.put("firstTimestamp", Json.time(now)).put("lastTimestamp", Json.time(now)).put("count", 1);
        event.put("eventTime", Json.microTime(now));
        event.put("action", reason.equals("Scheduled") ? "Binding" : "Scheduling");
        event.put("reportingComponent", NAME).put("reportingInstance", NAME + "-ferry-dev");
        try {
            store.create(ResourceTypes.EVENTS, Json.namespace(pod), event, false);
        } catch (ApiException e) {
            LOG.debug("cannot record event {} for pod {}/{}: {}", reason, Json.namespace(pod), Json.name(pod),
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
