package dev.ferry.gateway;

import dev.ferry.events.PodIntent;
import dev.ferry.gateway.intent.PodIntents;
import dev.ferry.gateway.intent.PodSupport;
import dev.ferry.gateway.intent.ReferenceResolver;
import dev.ferry.gateway.node.NodeKeeper;
import dev.ferry.gateway.node.NodeSettings;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts for one virtual node while this replica leads it: keeps the Node and its Lease ({@link NodeKeeper}), watches
 * the pods bound to the node (an informer with the field selector {@code spec.nodeName=<node>}, never a
 * cluster-wide watch), turns them into intents, and applies status events and routing decisions to them
 * ({@link StatusFeed}).
 *
 * <p>On start the informer lists every pod of the node: those without a final status are announced again. Intent
 * ids are deterministic, so the router drops what it has seen; this is how a restart loses nothing.
 */
final class NodeAgent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
    static final String INTENT_PUBLISHED = "ferry.dev/IntentPublished";

    private final Gateway gateway;
    private final NodeSettings settings;
    private final NodeKeeper keeper;
    /** Pods announced by this agent: pod UID → the CREATE being prepared or sent (true once handed to the outbox). */
    private final Map<String, CompletableFuture<Boolean>> creates = new ConcurrentHashMap<>();
    private final Set<String> deletes = ConcurrentHashMap.newKeySet();
    private SharedIndexInformer<Pod> informer;
    private StatusFeed feed;

    NodeAgent(Gateway gateway, NodeSettings settings) {
        this.gateway = gateway;
        this.settings = settings;
        this.keeper = new NodeKeeper(gateway.client(), settings, gateway.pools(), gateway.clock());
    }

    String nodeName() {
        return settings.name();
    }

    NodeKeeper keeper() {
        return keeper;
    }

    synchronized void start() {
        LOG.info("Acting for virtual node {}", settings.name());
        keeper.start();
        keeper.kafkaReachable(gateway.kafkaReachable());
        informer = gateway.client().pods().inAnyNamespace().withField("spec.nodeName", settings.name())
                .runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                seen(pod);
            }

            @Override
            public void onUpdate(Pod before, Pod pod) {
                seen(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                creates.remove(pod.getMetadata().getUid());
                deletes.remove(pod.getMetadata().getUid());
            }
        });
        informer.start();
        feed = new StatusFeed(gateway, this).start();
    }

    /** The pod as the informer last saw it, when it is bound to this node and still has that UID. */
    Optional<Pod> cached(String namespace, String name, String uid) {
        SharedIndexInformer<Pod> current = informer;
        if (current == null) {
            return Optional.empty();
        }
        Pod pod = current.getIndexer().getByKey(namespace + "/" + name);
        return pod != null && Objects.equals(pod.getMetadata().getUid(), uid) ? Optional.of(pod) : Optional.empty();
    }

    /** The UID of a pod of this node, from the informer's cache. */
    Optional<String> cachedUid(String namespace, String name) {
        SharedIndexInformer<Pod> current = informer;
        Pod pod = current == null ? null : current.getIndexer().getByKey(namespace + "/" + name);
        return pod == null ? Optional.empty() : Optional.of(pod.getMetadata().getUid());
    }

    private void seen(Pod pod) {
        try {
            if (pod.getMetadata().getDeletionTimestamp() != null) {
                deleting(pod);
            } else if (!isFinal(pod)) {
                announce(pod);
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not handle pod {}/{}: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                    e.toString(), e);
        }
    }

    /** A new pod (or one seen again after a restart): check it, resolve what it references, send CREATE. */
    private void announce(Pod pod) {
        String uid = pod.getMetadata().getUid();
        CompletableFuture<Boolean> create = new CompletableFuture<>();
        if (creates.putIfAbsent(uid, create) != null) {
            return;
        }
        Optional<String> unsupported = PodSupport.unsupported(pod);
        if (unsupported.isPresent()) {
            LOG.info("Pod {}/{} cannot run on any site: {}", namespace(pod), name(pod), unsupported.get());
            fail(pod, create, PodSupport.REASON, unsupported.get());
            return;
        }
        if (gateway.sealer().isEmpty() && Secrets.uses(pod)) {
            fail(pod, create, ReferenceResolver.REASON, "the pod uses a Secret, but this gateway has no key to seal "
                    + "Secret values with (an operator sets ferry.gateway.secret-key-file); Secrets never travel in "
                    + "clear text");
            return;
        }
        gateway.workers().execute(() -> {
            PodIntent intent;
            try {
                ReferenceResolver.Resolved refs = gateway.resolver().resolve(pod);
                intent = PodIntents.create(pod, refs, gateway.sealerForIntents(), settings.name(),
                        gateway.config().gatewayId(), gateway.clock().instant());
            } catch (ReferenceResolver.MissingReferenceException e) {
                LOG.info("Pod {}/{} fails: {}", namespace(pod), name(pod), e.getMessage());
                fail(pod, create, ReferenceResolver.REASON, e.getMessage());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                creates.remove(uid, create);
                create.complete(false);
                return;
            } catch (RuntimeException e) {
                LOG.warn("Could not describe pod {}/{}: {}", namespace(pod), name(pod), e.toString(), e);
                fail(pod, create, "IntentFailed", "the gateway could not describe this pod to the sites ("
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "); its log "
                        + "has the details, and deleting and creating the pod again retries");
                return;
            }
            gateway.outbox().add(intent, namespace(pod), name(pod));
            create.complete(true);
            markScheduled(pod);
        });
    }

    /**
     * Fails a pod the gateway itself cannot send. When even that cannot be written (the API server does not
     * answer), the pod is forgotten, so its next update tries again.
     */
    private void fail(Pod pod, CompletableFuture<Boolean> create, String reason, String message) {
        try {
            gateway.statusWriter().fail(pod, reason, message);
        } catch (RuntimeException e) {
            LOG.warn("Could not mark pod {}/{} Failed ({}); trying again on its next update: {}", namespace(pod),
                    name(pod), message, e.toString());
            creates.remove(pod.getMetadata().getUid(), create);
        }
        create.complete(false);
    }

    /**
     * A pod being deleted: when it never reached a site, or is already finished, nothing runs, so it is removed at
     * once; otherwise DELETE goes out (after its CREATE), the router cancels it, and the terminal status the site
     * reports finishes the deletion ({@code StatusWriter}).
     */
    private void deleting(Pod pod) {
        String uid = pod.getMetadata().getUid();
        if (!deletes.add(uid)) {
            return;
        }
        CompletableFuture<Boolean> create = creates.get(uid);
        if (isFinal(pod)) {
            gateway.finishDeletion(pod);
            return;
        }
        CompletableFuture<Boolean> sent = create == null ? CompletableFuture.completedFuture(true) : create;
        sent.thenAccept(wasSent -> {
            if (wasSent) {
                gateway.outbox().add(PodIntents.delete(pod, settings.name(), gateway.config().gatewayId(),
                        gateway.clock().instant()), namespace(pod), name(pod));
            } else {
                gateway.finishDeletion(pod);
            }
        });
    }

    /** PodScheduled=True, unless the scheduler set it already (pods created with spec.nodeName have none). */
    private void markScheduled(Pod pod) {
        boolean scheduled = conditions(pod).stream()
                .anyMatch(c -> "PodScheduled".equals(c.getType()) && "True".equals(c.getStatus()));
        if (!scheduled) {
            try {
                gateway.statusWriter().setCondition(pod, "PodScheduled", true, "Scheduled",
                        "bound to virtual node " + settings.name() + "; sent to Ferry's router");
            } catch (RuntimeException e) {
                LOG.debug("Could not set PodScheduled on {}/{}: {}", namespace(pod), name(pod), e.toString());
            }
        }
    }

    static boolean isFinal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private static List<PodCondition> conditions(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getConditions() == null ? List.of()
                : pod.getStatus().getConditions();
    }

    static String namespace(Pod pod) {
        return pod.getMetadata().getNamespace();
    }

    static String name(Pod pod) {
        return pod.getMetadata().getName();
    }

    @Override
    public synchronized void close() {
        if (feed != null) {
            feed.close();
            feed = null;
        }
        if (informer != null) {
            informer.close();
            informer = null;
        }
        keeper.close();
        LOG.info("No longer acting for virtual node {}", settings.name());
    }
}
