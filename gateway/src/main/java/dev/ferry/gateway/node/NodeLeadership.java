package dev.ferry.gateway.node;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election for one virtual node, so that of several gateway replicas exactly one acts for it (registers the
 * node, publishes intents, writes pod status). Built on fabric8's {@link LeaderElector} with a {@link LeaseLock}: the
 * Lease {@code ferry-gateway-<node>} in {@code kube-node-lease}, renewed every fifth of the lease duration, given up
 * when it cannot be renewed within two thirds of it.
 *
 * <p>{@code onStart} runs when this replica becomes the leader, {@code onStop} when it stops being one (lost the lease,
 * or {@link #close()}); both run in order on a thread of their own, so a slow callback never delays a renewal. A
 * replica that loses the lease stands again at once. {@link #close()} releases a held lease, so another replica takes
 * over within one of its retry periods instead of waiting for the lease to expire (fabric8 8.0's own release leaves
 * the holder in place, so this class empties it itself; see {@link #clearHolder()}).
 */
public final class NodeLeadership implements AutoCloseable {

    public static final String LEASE_NAMESPACE = "kube-node-lease";
    private static final String LEASE_PREFIX = "ferry-gateway-";
    private static final Logger LOG = LoggerFactory.getLogger(NodeLeadership.class);

    private final KubernetesClient client;
    private final String nodeName;
    private final String identity;
    private final LeaderElectionConfig config;
    private final Runnable onStart;
    private final Runnable onStop;
    private final ExecutorService elector;
    private final ExecutorService callbacks;
    private final AtomicBoolean leader = new AtomicBoolean();
    private boolean started;
    private boolean closed;
    private CompletableFuture<?> round;

    /**
     * @param nodeName      the virtual node this election is for
     * @param identity      this replica's name in the lease ({@code holderIdentity}), unique among the replicas, e.g.
     *                      the gateway pod's name
     * @param leaseDuration how long a leader's lease lasts without renewal (at least 1 s, whole seconds)
     * @param onStart       run when this replica becomes the leader
     * @param onStop        run when it stops being the leader
     */
    public NodeLeadership(KubernetesClient client, String nodeName, String identity, Duration leaseDuration,
                          Runnable onStart, Runnable onStop) {
        this.client = Objects.requireNonNull(client, "client");
        this.nodeName = NodeSettings.requireNodeName(nodeName);
        if (identity == null || identity.isBlank()) {
            throw new IllegalArgumentException("a leader election identity is required, e.g. the gateway pod's name");
        }
        this.identity = identity;
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        if (leaseDuration.compareTo(Duration.ofSeconds(1)) < 0 || leaseDuration.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("the leadership lease duration must be whole seconds, at least 1 s, was "
                    + leaseDuration);
        }
        String leaseName = leaseName(nodeName);
        if (leaseName.length() > 253) {
            throw new IllegalArgumentException("node name " + nodeName + " is too long for its leadership lease "
                    + leaseName + ": keep node names to at most " + (253 - LEASE_PREFIX.length()) + " characters");
        }
        this.onStart = Objects.requireNonNull(onStart, "onStart");
        this.onStop = Objects.requireNonNull(onStop, "onStop");
        this.config = new LeaderElectionConfigBuilder()
                .withName(leaseName)
                .withLock(new LeaseLock(LEASE_NAMESPACE, leaseName, identity))
                .withLeaseDuration(leaseDuration)
                .withRenewDeadline(leaseDuration.multipliedBy(2).dividedBy(3))
                .withRetryPeriod(leaseDuration.dividedBy(5))
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::startedLeading, this::stoppedLeading,
                        newLeader -> LOG.debug("virtual node {}: leader is now {}", nodeName, newLeader)))
                .build();
        this.elector = Executors.newSingleThreadExecutor(r -> daemon(r, "ferry-leader-elector-" + nodeName));
        this.callbacks = Executors.newSingleThreadExecutor(r -> daemon(r, "ferry-leader-callbacks-" + nodeName));
    }

    /** The Lease that decides which replica acts for {@code nodeName}. */
    public static String leaseName(String nodeName) {
        return LEASE_PREFIX + nodeName;
    }

    /** Starts standing for leadership; returns at once. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("leader election for node " + nodeName + " was already started");
        }
        started = true;
        stand();
    }

    /** Whether this replica holds the lease now. */
    public boolean isLeader() {
        return leader.get();
    }

    /** Stops standing; a held lease is released at once so another replica can take over. */
    @Override
    public void close() {
        CompletableFuture<?> current;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            current = round;
        }
        boolean wasLeader = leader.get();
        if (current != null) {
            // completes the elector: it releases the lease (releaseOnCancel) and calls onStopLeading before returning
            current.cancel(true);
        }
        if (wasLeader) {
            clearHolder();
        }
        stoppedLeading();
        elector.shutdownNow();
        callbacks.shutdown();
        try {
            if (!callbacks.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("virtual node {}: leadership callbacks did not finish within 10 s", nodeName);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Empties the lease's holder if it still names this replica. fabric8 8.0's {@code LeaderElector.release()} writes
     * a record whose holder is {@code null}, which its JSON merge patch leaves out, so the holder stays and other
     * fabric8 electors (which judge expiry by their own lease duration, not the record's 1 s) wait the whole lease
     * duration. An empty holder lets them take over at their next retry, as client-go's release does.
     */
    private void clearHolder() {
        try {
            Lease lease = client.leases().inNamespace(LEASE_NAMESPACE).withName(leaseName(nodeName)).get();
            if (lease != null && lease.getSpec() != null && identity.equals(lease.getSpec().getHolderIdentity())) {
                // resourceVersion-checked: if another replica took the lease meanwhile, its write wins
                client.leases().resource(new LeaseBuilder(lease).editSpec().withHolderIdentity("").endSpec().build())
                        .update();
                LOG.debug("virtual node {}: {} released the leadership lease", nodeName, identity);
            }
        } catch (KubernetesClientException e) {
            LOG.debug("virtual node {}: could not empty the leadership lease's holder ({}); it expires instead",
                    nodeName, e.getMessage());
        }
    }

    /** One elector per round: fabric8's elector ends for good when it loses the lease, so a new one stands again. */
    private synchronized void stand() {
        if (closed) {
            return;
        }
        LeaderElector leaderElector = new LeaderElector(client, config, elector);
        CompletableFuture<?> current = leaderElector.start();
        round = current;
        current.whenComplete((ignored, error) -> {
            synchronized (this) {
                if (closed) {
                    return;
                }
            }
            if (error != null) {
                LOG.warn("virtual node {}: leader election ended with {}; standing again", nodeName, error.toString());
            } else {
                LOG.info("virtual node {}: {} lost the leadership lease; standing again", nodeName, identity);
            }
            stand();
        });
    }

    private void startedLeading() {
        if (leader.compareAndSet(false, true)) {
            LOG.info("virtual node {}: {} is the leader", nodeName, identity);
            runCallback(onStart, "onStart");
        }
    }

    private void stoppedLeading() {
        if (leader.compareAndSet(true, false)) {
            LOG.info("virtual node {}: {} is no longer the leader", nodeName, identity);
            runCallback(onStop, "onStop");
        }
    }

    private void runCallback(Runnable callback, String what) {
        try {
            callbacks.execute(() -> {
                try {
                    callback.run();
                } catch (RuntimeException e) {
                    LOG.error("virtual node {}: the leadership {} callback failed", nodeName, what, e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("virtual node {}: {} not run, leadership already closed", nodeName, what);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
