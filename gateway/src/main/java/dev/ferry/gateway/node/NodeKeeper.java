package dev.ferry.gateway.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one virtual node alive in the API, as a kubelet keeps its own: registers the Node (or takes over an existing
 * one of that name), renews its {@code coordination.k8s.io/v1} Lease in {@code kube-node-lease} every
 * {@link NodeSettings#renewEvery()} (the node controller's heartbeat), and writes the node's status when what it
 * shows changes ({@link #poolsChanged()}, {@link #kafkaReachable(boolean)}, a pool going stale) and at least every
 * {@link NodeSettings#statusEvery()}.
 *
 * <p>All API work happens on one thread of its own. A failed call is logged and tried again at the next tick; it never
 * ends the thread. Writes are resourceVersion-checked; a 409 means someone else wrote the object, so the keeper reads
 * it again and retries. {@link #close()} stops the thread and leaves the Node in place, as a stopped kubelet does: the
 * node controller marks it NotReady once its lease expires.
 */
public final class NodeKeeper implements AutoCloseable {

    /** Where kubelets keep their node leases. */
    public static final String LEASE_NAMESPACE = "kube-node-lease";

    private static final Logger LOG = LoggerFactory.getLogger(NodeKeeper.class);
    private static final int CONFLICT_RETRIES = 5;

    private final KubernetesClient client;
    private final NodeSettings settings;
    private final PoolCapacity pools;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean kafkaReachable = true;

    // touched only on the keeper's thread
    private Node node;
    private NodeStatus written;
    private Instant lastStatusWrite;
    private Lease lease;
    private final Map<String, String> problems = new HashMap<>();

    public NodeKeeper(KubernetesClient client, NodeSettings settings, PoolCapacity pools, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.pools = Objects.requireNonNull(pools, "pools");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ferry-node-keeper-" + settings.name());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Registers the node and its lease (waiting for that first attempt, at most 30 s), then keeps both alive. When the
     * API cannot be reached the failure is logged and registration is tried again at every tick.
     */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("node keeper for " + settings.name() + " was already started");
        }
        Future<?> first = thread.submit(() -> tick(true));
        long every = settings.renewEvery().toMillis();
        thread.scheduleWithFixedDelay(() -> tick(true), every, every, TimeUnit.MILLISECONDS);
        try {
            first.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("virtual node {}: the first registration did not finish ({}); retrying every {}",
                    settings.name(), e.toString(), settings.renewEvery());
        }
    }

    /** The pools changed: the node's status is written soon if what it shows changed. */
    public void poolsChanged() {
        wake();
    }

    /** Whether the gateway reaches Kafka; the node is Ready only while it does. Starts as reachable. */
    public void kafkaReachable(boolean reachable) {
        if (kafkaReachable != reachable) {
            kafkaReachable = reachable;
            wake();
        }
    }

    /** Stops renewing; the Node and its Lease stay (the lease simply expires). */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("virtual node {}: the keeper thread did not stop within 10 s", settings.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void wake() {
        if (started.get() && wakePending.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    wakePending.set(false);
                    tick(false);
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                wakePending.set(false); // closed
            }
        }
    }

    /** One round: register or refresh the status, and on the periodic ticks renew the lease. */
    private void tick(boolean renewLease) {
        Instant now = clock.instant();
        attempt("status", () -> {
            if (node == null) {
                register(now);
            } else {
                refreshStatus(now);
            }
        });
        if (renewLease && node != null) {
            attempt("lease", () -> renewLease(now));
        }
    }

    private void attempt(String what, Runnable work) {
        try {
            work.run();
            if (problems.remove(what) != null) {
                LOG.info("virtual node {}: {} writes work again", settings.name(), what);
            }
        } catch (RuntimeException e) {
            String problem = e.getMessage() == null ? e.toString() : e.getMessage();
            String previous = problems.put(what, problem);
            if (!problem.equals(previous)) {
                LOG.warn("virtual node {}: cannot write its {} ({}); retrying every {}", settings.name(), what,
                        problem, settings.renewEvery(), e);
            } else {
                LOG.debug("virtual node {}: {} still failing: {}", settings.name(), what, problem);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ node

    private void register(Instant now) {
        Node desired = VirtualNodes.build(settings, pools, kafkaReachable, now);
        Node existing = client.nodes().withName(settings.name()).get();
        if (existing == null) {
            try {
                node = client.nodes().resource(desired).create();
                LOG.info("registered virtual node {} (kubelet endpoint {}:{})", settings.name(), settings.address(),
                        settings.kubeletPort());
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw e;
                }
                existing = client.nodes().withName(settings.name()).require();
            }
        }
        if (existing != null) {
            node = takeOver(existing);
            LOG.info("took over existing node {} as a virtual node (kubelet endpoint {}:{})", settings.name(),
                    settings.address(), settings.kubeletPort());
        }
        // a create keeps the status on Kubernetes, but write it through the status subresource all the same: a
        // taken-over node needs it, and an API server that dropped it on create gets it here
        writeStatus(desired.getStatus(), now);
    }

    /** Our labels and taints on an existing node, keeping the labels and taints others put there. */
    private Node takeOver(Node existing) {
        Node current = existing;
        for (int attempt = 1; ; attempt++) {
            Map<String, String> labels = new HashMap<>();
            if (current.getMetadata().getLabels() != null) {
                labels.putAll(current.getMetadata().getLabels());
            }
            labels.putAll(VirtualNodes.labels(settings));
            List<Taint> taints = new ArrayList<>();
            if (current.getSpec() != null && current.getSpec().getTaints() != null) {
                current.getSpec().getTaints().stream().filter(t -> !VirtualNodes.isVirtualNodeTaint(t))
                        .forEach(taints::add);
            }
            taints.addAll(VirtualNodes.taints(settings));
            Node wanted = new NodeBuilder(current).editMetadata().withLabels(labels).endMetadata()
                    .editOrNewSpec().withTaints(taints).endSpec().build();
            try {
                return client.nodes().resource(wanted).update();
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt >= CONFLICT_RETRIES) {
                    throw e;
                }
                current = client.nodes().withName(settings.name()).require();
            }
        }
    }

    private void refreshStatus(Instant now) {
        NodeStatus desired = VirtualNodes.status(settings, pools, kafkaReachable, now);
        boolean changed = !VirtualNodes.sameShown(written, desired);
        boolean due = lastStatusWrite == null || !now.isBefore(lastStatusWrite.plus(settings.statusEvery()));
        if (changed || due) {
            writeStatus(desired, now);
        }
    }

    /** Writes the status through the status subresource, against the last known resourceVersion. */
    private void writeStatus(NodeStatus desired, Instant now) {
        for (int attempt = 1; ; attempt++) {
            NodeStatus status = VirtualNodes.keepTransitionTimes(node.getStatus(), desired);
            Node candidate = new NodeBuilder(node).withStatus(status).build();
            try {
                node = client.nodes().resource(candidate).updateStatus();
                boolean readyChanged = written != null && !readyText(written).equals(readyText(status));
                written = status;
                lastStatusWrite = now;
                if (readyChanged) {
                    LOG.info("virtual node {}: {}", settings.name(), readyText(status));
                }
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                    LOG.warn("virtual node {} was deleted by someone; registering it again", settings.name());
                    node = null;
                    lease = null;
                    register(now);
                    return;
                }
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt >= CONFLICT_RETRIES) {
                    throw e;
                }
                Node latest = client.nodes().withName(settings.name()).get();
                if (latest == null) {
                    node = null;
                    register(now);
                    return;
                }
                node = latest;
            }
        }
    }

    private static String readyText(NodeStatus status) {
        return status.getConditions().stream().filter(c -> VirtualNodes.READY.equals(c.getType()))
                .map(c -> "Ready=" + c.getStatus() + " (" + c.getReason() + ": " + c.getMessage() + ")")
                .findFirst().orElse("no Ready condition");
    }

    // ----------------------------------------------------------------------------------------------- lease

    private void renewLease(Instant now) {
        ZonedDateTime renewTime = ZonedDateTime.ofInstant(now.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
        int seconds = (int) settings.leaseDuration().toSeconds();
        for (int attempt = 1; ; attempt++) {
            if (lease == null) {
                lease = client.leases().inNamespace(LEASE_NAMESPACE).withName(settings.name()).get();
            }
            try {
                if (lease == null) {
                    lease = client.leases().resource(new LeaseBuilder()
                            .withNewMetadata().withName(settings.name()).withNamespace(LEASE_NAMESPACE)
                            .withOwnerReferences(ownerReference()).endMetadata()
                            .withNewSpec().withHolderIdentity(settings.name()).withLeaseDurationSeconds(seconds)
                            .withRenewTime(renewTime).endSpec()
                            .build()).create();
                } else {
                    LeaseBuilder renewed = new LeaseBuilder(lease).editOrNewSpec()
                            .withHolderIdentity(settings.name()).withLeaseDurationSeconds(seconds)
                            .withRenewTime(renewTime).endSpec();
                    if (lease.getMetadata().getOwnerReferences() == null
                            || lease.getMetadata().getOwnerReferences().isEmpty()) {
                        renewed.editMetadata().withOwnerReferences(ownerReference()).endMetadata();
                    }
                    lease = client.leases().resource(renewed.build()).update();
                }
                return;
            } catch (KubernetesClientException e) {
                boolean retry = e.getCode() == HttpURLConnection.HTTP_CONFLICT
                        || e.getCode() == HttpURLConnection.HTTP_NOT_FOUND;
                lease = null;
                if (!retry || attempt >= CONFLICT_RETRIES) {
                    throw e;
                }
            }
        }
    }

    /** The Node owns its lease, so deleting the node deletes the lease too (as a kubelet sets it up). */
    private OwnerReference ownerReference() {
        return new OwnerReferenceBuilder().withApiVersion("v1").withKind("Node").withName(settings.name())
                .withUid(node.getMetadata().getUid()).build();
    }
}
