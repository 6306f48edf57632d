package dev.ferry.gateway.status;

import dev.ferry.events.PodRef;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.StatusSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Deletable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.dsl.ReplaceDeletable;
import io.fabric8.kubernetes.client.extension.ExtensibleResource;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Writes status events to the pods in the Kubernetes API, each at most once and never out of order.
 *
 * <p>{@link #apply} reads the pod, compares the event's {@link StatusOrder} with the one stored on the pod, and
 * writes the mapped status ({@link PodStatusMapper}) together with the new order in one update of the status
 * subresource, carrying the resourceVersion it read: a concurrent change makes the API server answer 409, and the
 * writer reads again and recomputes (up to {@value #MAX_CONFLICTS} times). 5xx, 429 and connection errors are retried
 * with exponential backoff (100 ms doubling to 5 s) for the configured period, then reported as a
 * {@link StatusWriteException} so the caller can retry the event later. A terminal status for a pod that is being
 * deleted finishes the deletion (grace period 0, precondition: the resourceVersion just written), as the kubelet
 * does once the containers are gone; a replayed terminal event does the same when the status landed before a
 * restart and the delete did not.
 *
 * <p>Thread-safe; holds no state of its own (the order lives on the pods).
 */
public final class StatusWriter {

    /** What {@link #apply} (or {@link #fail}) did. */
    public enum Outcome {
        /** The status was written. */
        APPLIED,
        /** The pod already holds this event or a newer one: nothing written. */
        STALE,
        /** The pod does not exist, or a newer pod of the same name does: nothing written. */
        POD_GONE,
        /** The status was terminal and the pod was being deleted: the status was written, then the pod deleted. */
        DELETED
    }

    /** How long 5xx / connection errors are retried when no period is given. */
    public static final Duration DEFAULT_RETRY_FOR = Duration.ofMinutes(2);
    /** How many times one write re-reads the pod after a 409 before it gives up. */
    public static final int MAX_CONFLICTS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);

    /** Waits between retries; tests replace it. */
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final KubernetesClient client;
    private final Clock clock;
    private final Backoff backoff;
    private final Sleeper sleeper;

    /** A writer that retries 5xx / connection errors for {@link #DEFAULT_RETRY_FOR}. */
    public StatusWriter(KubernetesClient client, Clock clock) {
        this(client, clock, DEFAULT_RETRY_FOR);
    }

    /** A writer that retries 5xx / connection errors for {@code retryFor} before it throws. */
    public StatusWriter(KubernetesClient client, Clock clock, Duration retryFor) {
        this(client, clock, Backoff.within(retryFor), duration -> Thread.sleep(duration.toMillis()));
    }

    StatusWriter(KubernetesClient client, Clock clock, Backoff backoff, Sleeper sleeper) {
        this.client = Objects.requireNonNull(client, "client");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /**
     * Applies a status event to its pod (namespace, name and UID from {@code event.getPod()}).
     *
     * @return {@link Outcome#POD_GONE} when the pod is absent or has another UID, {@link Outcome#STALE} when the
     *         event is not newer than the last one applied, else {@link Outcome#APPLIED} or {@link Outcome#DELETED}
     * @throws StatusWriteException when the API server could not take the write (see its reason)
     */
    public Outcome apply(PodStatusEvent event) {
        return apply(event, null);
    }

    /**
     * As {@link #apply(PodStatusEvent)}, starting from {@code cached} (e.g. the informer's copy) instead of reading
     * the pod: one round trip instead of two. A stale copy costs nothing but the 409 that makes it read the pod.
     *
     * @param cached the pod as last seen, or null to read it
     */
    public Outcome apply(PodStatusEvent event, Pod cached) {
        PodRef ref = event.getPod();
        Pod first = cached != null && cached.getMetadata() != null
                && ref.getUid().equals(cached.getMetadata().getUid()) ? cached : null;
        return inPodContext(ref, () -> write(ref, first, StatusOrder.of(event), PodStatusMapper.isTerminal(event),
                pod -> PodStatusMapper.apply(pod, event)));
    }

    /**
     * Fails a pod for a problem the gateway found itself (an unsupported field, a missing secret): phase Failed with
     * {@code reason} and {@code message}, its unfinished containers waiting with that reason, under the order
     * (attempt 0, GATEWAY, now in microseconds). Like {@link #apply}, it does not override a newer status.
     */
    public Outcome fail(Pod pod, String reason, String message) {
        PodRef ref = ref(pod);
        StatusOrder order = new StatusOrder(0, StatusSource.GATEWAY, clock.millis() * 1000);
        return inPodContext(ref, () -> write(ref, null, order, true, fresh -> PodStatusMapper.apply(fresh,
                PodStatusMapper.failure(fresh, reason, message, order, clock.instant()))));
    }

    /**
     * Sets one condition of a pod (e.g. {@code PodScheduled} True, or {@code ferry.dev/IntentPublished} False with
     * reason {@code KafkaUnreachable}), keeping everything else of its status; writes nothing when the condition
     * already says so, and nothing when the pod is gone.
     */
    public void setCondition(Pod pod, String type, boolean status, String reason, String message) {
        PodRef ref = ref(pod);
        inPodContext(ref, () -> {
            setCondition(ref, type, status ? "True" : "False", reason, message);
            return null;
        });
    }

    private void setCondition(PodRef ref, String type, String status, String reason, String message) {
        Attempts attempts = new Attempts(ref);
        for (int conflicts = 0; ; ) {
            Pod fresh = read(ref, attempts);
            if (fresh == null) {
                LOG.debug("Pod {}/{} ({}) is gone: condition {} not set", ref.getNamespace(), ref.getName(),
                        ref.getUid(), type);
                return;
            }
            List<PodCondition> current = fresh.getStatus() == null || fresh.getStatus().getConditions() == null
                    ? List.of() : fresh.getStatus().getConditions();
            List<PodCondition> next = PodConditions.set(current, type, status, reason, message,
                    clock.instant());
            if (next.equals(current)) {
                return;
            }
            Pod desired = new PodBuilder(fresh).editOrNewStatus().withConditions(next).endStatus().build();
            try {
                attempts.call("set condition " + type + " on", () -> pods(ref).resource(desired).updateStatus());
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return;
                }
                conflicts = onConflict(ref, e, conflicts);
            }
        }
    }

    // ------------------------------------------------------------------ internals

    private Outcome write(PodRef ref, Pod cached, StatusOrder order, boolean terminal,
                          Function<Pod, PodStatus> status) {
        Attempts attempts = new Attempts(ref);
        Pod first = cached;
        for (int conflicts = 0; ; ) {
            Pod pod = first != null ? first : read(ref, attempts);
            first = null;
            if (pod == null) {
                LOG.debug("Pod {}/{} ({}) is gone: status {} not applied", ref.getNamespace(), ref.getName(),
                        ref.getUid(), order.toMessage());
                return Outcome.POD_GONE;
            }
            Optional<StatusOrder> applied = StatusOrder.of(pod);
            if (!order.isNewerThan(applied)) {
                if (terminal && deleting(pod) && finished(pod)) {
                    // a terminal status landed but the delete did not (a restart in between): finish it
                    return delete(ref, pod, attempts);
                }
                LOG.debug("Status {} for pod {}/{} is not newer than {}: skipped", order.toMessage(),
                        ref.getNamespace(), ref.getName(), applied.get().toMessage());
                return Outcome.STALE;
            }
            Pod desired = new PodBuilder(pod).withStatus(status.apply(pod)).build();
            Pod written;
            try {
                written = attempts.call("write the status of", () -> pods(ref).resource(desired).updateStatus());
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    LOG.debug("Pod {}/{} was deleted before its status {} was written", ref.getNamespace(),
                            ref.getName(), order.toMessage());
                    return Outcome.POD_GONE;
                }
                conflicts = onConflict(ref, e, conflicts);
                continue;
            }
            LOG.debug("Applied status {} ({}) to pod {}/{}", order.toMessage(), desired.getStatus().getPhase(),
                    ref.getNamespace(), ref.getName());
            if (terminal && deleting(written)) {
                return delete(ref, written, attempts);
            }
            return Outcome.APPLIED;
        }
    }

    /** Counts a 409 (reads again) or turns any other refusal into a {@link StatusWriteException}. */
    private static int onConflict(PodRef ref, KubernetesClientException e, int conflicts) {
        if (e.getCode() != 409) {
            throw new StatusWriteException(StatusWriteException.Reason.REJECTED, ref, "The Kubernetes API refused "
                    + "a write to pod " + describe(ref) + ": " + e.getCode() + " " + e.getMessage(), e);
        }
        if (conflicts + 1 >= MAX_CONFLICTS) {
            throw new StatusWriteException(StatusWriteException.Reason.CONFLICTS, ref, "The status of pod "
                    + describe(ref) + " conflicted " + MAX_CONFLICTS + " times in a row with other writers (409); "
                    + "retry the event later", e);
        }
        LOG.debug("Pod {} changed while its status was computed (409): reading it again", describe(ref));
        return conflicts + 1;
    }

    /** Deletes a pod whose terminal status is written, with grace period 0, only if it is still that version. */
    private Outcome delete(PodRef ref, Pod pod, Attempts attempts) {
        String resourceVersion = pod.getMetadata().getResourceVersion();
        for (int conflicts = 0; ; ) {
            String version = resourceVersion;
            try {
                attempts.call("delete", () -> graceZero(pods(ref).withName(ref.getName())
                        .lockResourceVersion(version)).delete());
                LOG.debug("Deleted pod {}/{}: terminal status written, deletion requested", ref.getNamespace(),
                        ref.getName());
                return Outcome.DELETED;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return Outcome.DELETED;
                }
                conflicts = onConflict(ref, e, conflicts);
                Pod fresh = read(ref, attempts);
                if (fresh == null) {
                    return Outcome.DELETED;
                }
                resourceVersion = fresh.getMetadata().getResourceVersion();
            }
        }
    }

    /**
     * Grace period 0 on a delete locked to a resourceVersion. fabric8's interfaces offer the two only on its
     * extensible resources (what every built-in resource is at run time); on anything else the lock alone is used,
     * and the API server still deletes at once, as it does for every pod in a terminal phase.
     */
    private static Deletable graceZero(ReplaceDeletable<Pod> locked) {
        return locked instanceof ExtensibleResource<?> extensible ? extensible.withGracePeriod(0) : locked;
    }

    /** The pod, or null when it is absent or is another pod of the same name (another UID). */
    private Pod read(PodRef ref, Attempts attempts) {
        Pod pod;
        try {
            pod = attempts.call("read", () -> pods(ref).withName(ref.getName()).get());
        } catch (KubernetesClientException e) {
            throw new StatusWriteException(StatusWriteException.Reason.REJECTED, ref, "Could not read pod "
                    + describe(ref) + ": " + e.getCode() + " " + e.getMessage()
                    + " (may the gateway's service account get pods in that namespace?)", e);
        }
        if (pod == null || !ref.getUid().equals(pod.getMetadata().getUid())) {
            return null;
        }
        return pod;
    }

    private NonNamespaceOperation<Pod, PodList, PodResource> pods(PodRef ref) {
        MixedOperation<Pod, PodList, PodResource> pods = client.pods();
        return pods.inNamespace(ref.getNamespace());
    }

    private static boolean deleting(Pod pod) {
        return pod.getMetadata() != null && pod.getMetadata().getDeletionTimestamp() != null;
    }

    private static boolean finished(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private static PodRef ref(Pod pod) {
        return PodRef.newBuilder().setNamespace(pod.getMetadata().getNamespace()).setName(pod.getMetadata().getName())
                .setUid(pod.getMetadata().getUid()).build();
    }

    private static String describe(PodRef ref) {
        return ref.getNamespace() + "/" + ref.getName() + " (uid " + ref.getUid() + ")";
    }

    /** Runs {@code body} with the pod's identity in the log context (MDC keys {@code pod}, {@code podUid}). */
    private static <T> T inPodContext(PodRef ref, Supplier<T> body) {
        MDC.put("pod", ref.getNamespace() + "/" + ref.getName());
        MDC.put("podUid", ref.getUid());
        try {
            return body.get();
        } finally {
            MDC.remove("pod");
            MDC.remove("podUid");
        }
    }

    /** 5xx, 429 and connection errors: the same request may succeed later. */
    static boolean retryable(KubernetesClientException e) {
        int code = e.getCode();
        if (code >= 500 || code == 429) {
            return true;
        }
        if (code > 0) {
            return false;
        }
        // no HTTP answer at all (fabric8 reports code -1 or 0): retry when the cause is I/O (refused, reset, timeout)
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** The retries of one operation: one budget shared by all its requests. */
    private final class Attempts {
        private final PodRef ref;
        private final Instant start = clock.instant();
        private int retries;

        Attempts(PodRef ref) {
            this.ref = ref;
        }

        /** Runs a request, retrying retryable failures; other failures are thrown as they are. */
        <T> T call(String what, Supplier<T> request) {
            while (true) {
                try {
                    return request.get();
                } catch (KubernetesClientException e) {
                    if (!retryable(e)) {
                        throw e;
                    }
                    Optional<Duration> pause = backoff.next(retries++, start, clock.instant());
                    if (pause.isEmpty()) {
                        throw new StatusWriteException(StatusWriteException.Reason.API_UNAVAILABLE, ref,
                                "Could not " + what + " pod " + describe(ref) + ": the Kubernetes API kept failing "
                                        + "for " + backoff.budget() + " (last: " + e.getCode() + " "
                                        + e.getMessage() + "); retry the event later", e);
                    }
                    LOG.debug("Could not {} pod {} ({} {}), retrying in {} ms", what, describe(ref), e.getCode(),
                            e.getMessage(), pause.get().toMillis());
                    try {
                        sleeper.sleep(pause.get());
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw new StatusWriteException(StatusWriteException.Reason.INTERRUPTED, ref,
                                "Interrupted while retrying to " + what + " pod " + describe(ref), interrupted);
                    }
                }
            }
        }
    }
}
