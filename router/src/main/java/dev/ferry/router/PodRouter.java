package dev.ferry.router;

import dev.ferry.events.DecisionOutcome;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.RoutingDecision;
import dev.ferry.events.StatusSource;
import dev.ferry.router.avro.RoutingIntent;
import dev.ferry.router.avro.RoutingOperation;
import dev.ferry.router.model.Candidate;
import dev.ferry.router.model.MatchResult;
import dev.ferry.router.model.Matcher;
import dev.ferry.router.model.PodRequirements;
import dev.ferry.router.model.PoolView;
import dev.ferry.router.model.Route;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The routing side (see {@link RouterTopology}): one task per partition of {@code pod-intents}, handling every
 * event about its pods in order. Values are {@link ReceivedIntent}, {@link PodStatusEvent} or {@link PodMessage}.
 *
 * <p><b>Status events it writes</b> use source {@link StatusSource#ROUTER} and a sequence that grows per pod
 * ({@link PodState#statusSequence()}). Readers order a pod's status events by (attempt, source, sequence), with
 * {@code ROUTER < EXECUTOR}: within one routing attempt the executor's reports always supersede the router's
 * "Queued", and a re-route raises the attempt, so the router's new status supersedes what the previous pool's
 * executor said.
 */
final class PodRouter implements Processor<String, Object, String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(PodRouter.class);

    /** Kubernetes-style reasons of the statuses the router writes. */
    static final String REASON_QUEUED = "Queued";
    static final String REASON_UNSCHEDULABLE = "Unschedulable";
    static final String REASON_INVALID = "InvalidPodSpec";
    static final String REASON_UNDECODABLE = "UndecodableIntent";
    static final String REASON_DELETED = "Deleted";

    private final Matcher matcher;
    private final Duration finishedRetention;
    private final Map<String, CachedView> viewCache = new HashMap<>();
    private final AtomicLong viewChanges;
    private List<PoolView> viewList;
    private long viewListChanges;
    private long viewListAt;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, PodState> pods;
    private KnownPods known;
    private KeyValueStore<String, String> expiry;
    private KeyValueStore<String, byte[]> views;

    PodRouter(Matcher matcher, Duration finishedRetention, AtomicLong viewChanges) {
        this.matcher = matcher;
        this.finishedRetention = finishedRetention;
        this.viewChanges = viewChanges;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.pods = context.getStateStore(RouterTopology.PODS_STORE);
        // initialised again after every restore (a crash, an aborted transaction, a moved task): built from the store
        this.known = KnownPods.of(pods);
        this.expiry = context.getStateStore(RouterTopology.PODS_EXPIRY_STORE);
        this.views = context.getStateStore(RouterTopology.VIEWS_STORE);
        Duration scan = finishedRetention.dividedBy(10);
        Duration every = scan.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1)
                : scan.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : scan;
        context.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::expireFinished);
    }

    @Override
    public void process(Record<String, Object> record) {
        String uid = record.key();
        if (uid == null) {
            LOG.warn("record without a pod UID key ignored: {}", record.value());
            return;
        }
        MDC.put("podUid", uid);
        try {
            Object value = record.value();
            if (value instanceof ReceivedIntent received) {
                onIntent(record, uid, received);
            } else if (value instanceof PodStatusEvent status) {
                onStatus(record, uid, status);
            } else if (value instanceof PodMessage message) {
                onMessage(record, uid, message);
            } else if (value != null) {
                throw new IllegalArgumentException("unexpected value " + value.getClass().getName());
            }
        } finally {
            MDC.remove("podUid");
            MDC.remove("pod");
        }
    }

    // ---- intents

    private void onIntent(Record<String, Object> record, String uid, ReceivedIntent received) {
        RoutingIntent intent = received.intent();
        long now = context.currentSystemTimeMs();
        PodId pod = PodId.of(intent.getPod());
        MDC.put("pod", pod.namespace() + "/" + pod.name());
        PodState state = state(uid);
        String intentId = intent.getIntentId();
        if (state != null && state.seen(intentId)) {
            LOG.debug("duplicate intent {} dropped", intentId);
            state = state.nextDecision();
            emitDecision(record, state, intentId, DecisionOutcome.DUPLICATE, state.poolId(), null,
                    "intent " + intentId + " was already handled; dropped", List.of(), now);
            save(state);
            return;
        }
        if (!uid.equals(pod.uid())) {
            PodId keyed = new PodId(pod.namespace(), pod.name(), uid);
            if (state == null) {
                reject(record, PodState.fresh(keyed, intentId, now), intentId, REASON_INVALID, "the record key " + uid
                        + " is not the pod's metadata.uid " + pod.uid() + "; the gateway must key intents by pod UID",
                        List.of(), now);
            } else {
                LOG.warn("intent {} keyed {} names pod UID {}; ignored", intentId, uid, pod.uid());
            }
            return;
        }
        RoutingOperation operation = intent.getOperation();
        if (operation == RoutingOperation.CREATE) {
            onCreate(record, uid, pod, state, received, now);
        } else if (operation == RoutingOperation.DELETE) {
            onDelete(record, uid, pod, state, intentId, now);
        } else if (state == null) {
            reject(record, PodState.fresh(pod, intentId, now), intentId, REASON_INVALID, "intent " + intentId
                    + " has operation " + operation + "; only CREATE and DELETE exist", List.of(), now);
        } else {
            // the pod is known and in progress: refuse this intent, but leave the pod as it is
            state = state.withIntentId(intentId).nextDecision();
            emitDecision(record, state, intentId, DecisionOutcome.REJECTED, state.poolId(), null, "intent " + intentId
                    + " has operation " + operation + "; only CREATE and DELETE exist; the pod is left as it is",
                    List.of(), now);
            save(state);
        }
    }

    private void onCreate(Record<String, Object> record, String uid, PodId pod, PodState state, ReceivedIntent received,
                          long now) {
        RoutingIntent intent = received.intent();
        String intentId = intent.getIntentId();
        if (state != null) {
            state = state.withIntentId(intentId).nextDecision();
            emitDecision(record, state, intentId, DecisionOutcome.DUPLICATE, state.poolId(), null, "the pod is already "
                    + describe(state) + " (first intent " + state.intentIds().get(0) + "); a new CREATE does not route"
                    + " it again", List.of(), now);
            save(state);
            return;
        }
        PodState fresh = PodState.fresh(pod, intentId, now);
        PodRequirements requirements;
        try {
            requirements = Intents.requirements(intent);
        } catch (InvalidIntentException e) {
            reject(record, fresh, intentId, REASON_INVALID, e.getMessage(), List.of(), now);
            return;
        }
        route(record, fresh, requirements, received.carried(), intentId, now);
    }

    private void onDelete(Record<String, Object> record, String uid, PodId pod, PodState state, String intentId,
                          long now) {
        if (state == null) {
            PodState cancelled = PodState.fresh(pod, intentId, now).markDeleted().with(PodState.Phase.CANCELLED, now);
            finish(record, cancelled, intentId, DecisionOutcome.CANCELLED, null, null,
                    "deleted before the router saw it created; nothing to cancel", now);
            return;
        }
        state = state.withIntentId(intentId);
        if (state.phase().terminal() || state.deleteRequested()) {
            save(state);
            return;
        }
        state = state.markDeleted();
        context.forward(record.withKey(state.poolId())
                .withValue(new PoolMessage.Cancel(state.poolId(), state.pod(), state.ticket())), RouterTopology.PODS_TO_POOL_INBOX);
        save(state);
    }

    // ---- executors' statuses

    private void onStatus(Record<String, Object> record, String uid, PodStatusEvent status) {
        if (status.getSource() == StatusSource.ROUTER) {
            return;
        }
        PodPhase phase = status.getPhase();
        if (phase != PodPhase.SUCCEEDED && phase != PodPhase.FAILED) {
            return;
        }
        PodState state = state(uid);
        if (state == null || state.phase().terminal() || state.poolId() == null || status.getAttempt() != state.attempt()) {
            return;
        }
        MDC.put("pod", state.pod().namespace() + "/" + state.pod().name());
        long now = context.currentSystemTimeMs();
        context.forward(record.withKey(state.poolId())
                .withValue(new PoolMessage.Release(state.poolId(), state.pod(), state.ticket())), RouterTopology.PODS_TO_POOL_INBOX);
        LOG.debug("{} in pool {}: releasing", phase, state.poolId());
        save(state.with(PodState.Phase.FINISHED, now));
    }

    // ---- the pools' answers

    private void onMessage(Record<String, Object> record, String uid, PodMessage message) {
        long now = context.currentSystemTimeMs();
        PodState state = state(uid);
        if (message instanceof PodMessage.Undecodable undecodable) {
            onUndecodable(record, uid, state, undecodable, now);
            return;
        }
        if (state == null || state.phase().terminal()) {
            LOG.debug("answer {} for a pod that is gone or finished ignored", message);
            return;
        }
        MDC.put("pod", state.pod().namespace() + "/" + state.pod().name());
        long ticket = ticketOf(message);
        if (ticket != state.ticket()) {
            LOG.debug("answer {} to an earlier request (now {}) ignored", message, state.ticket());
            return;
        }
        if (message instanceof PodMessage.NoRoom m) {
            state = state.noRoomAt(m.poolId());
            next(record, state, m.intent(), now, "no room in pool " + m.poolId());
        } else if (message instanceof PodMessage.Unavailable m) {
            state = state.unavailableAt(m.poolId(), m.reason());
            next(record, state, m.intent(), now, "pool " + m.poolId() + " cannot take it: " + m.reason());
        } else if (message instanceof PodMessage.Queued m) {
            state = state.with(PodState.Phase.QUEUED, now);
            if (!state.deleteRequested()) {
                state = state.nextStatus();
                emitStatus(record, state, PodPhase.PENDING, REASON_QUEUED, m.reason(), m.site(), m.poolId(), now);
            }
            save(state);
        } else if (message instanceof PodMessage.Bounced m) {
            if (state.deleteRequested()) {
                cancelled(record, state, "deleted; it had been taken out of the queue of pool " + m.poolId()
                        + " (" + m.reason() + ")", m.poolId(), now);
                return;
            }
            state = state.nextDecision();
            emitDecision(record, state, null, DecisionOutcome.REROUTED, m.poolId(), null,
                    "taken out of the queue of pool " + m.poolId() + ": " + m.reason() + "; routing again", List.of(), now);
            state = state.nextAttempt().unavailableAt(m.poolId(), m.reason());
            route(record, state, requirementsOf(m.intent()), m.intent(), null, now);
        } else if (message instanceof PodMessage.CancelOutcome m) {
            switch (m.kind()) {
                case REMOVED_FROM_QUEUE -> cancelled(record, state, "deleted while waiting in the queue of pool "
                        + m.poolId() + "; removed from it", m.poolId(), now);
                case CANCEL_SENT -> {
                    state = state.nextDecision();
                    emitDecision(record, state, null, DecisionOutcome.CANCELLED, m.poolId(), null,
                            "deleted: CANCEL sent to the site running it in pool " + m.poolId()
                                    + "; its capacity is released when the site reports the end", List.of(), now);
                    save(state);
                }
                case NOT_HELD -> cancelled(record, state, "deleted before pool " + m.poolId() + " placed it",
                        m.poolId(), now);
                default -> throw new IllegalStateException(m.kind().name());
            }
        }
    }

    private void onUndecodable(Record<String, Object> record, String uid, PodState state, PodMessage.Undecodable m,
                               long now) {
        if (state != null) {
            LOG.warn("an intent for this pod could not be decoded and is in dead-letters; the pod stays {}: {}",
                    describe(state), m.reason());
            return;
        }
        // the record could not be read, so neither can its namespace and name: the status carries the UID only
        reject(record, PodState.fresh(new PodId("", "", uid), "undecodable", now), null, REASON_UNDECODABLE,
                "the pod's intent could not be decoded and was moved to dead-letters: " + m.reason(), List.of(), now);
    }

    private static long ticketOf(PodMessage message) {
        if (message instanceof PodMessage.NoRoom m) {
            return m.ticket();
        } else if (message instanceof PodMessage.Unavailable m) {
            return m.ticket();
        } else if (message instanceof PodMessage.Queued m) {
            return m.ticket();
        } else if (message instanceof PodMessage.Bounced m) {
            return m.ticket();
        } else if (message instanceof PodMessage.CancelOutcome m) {
            return m.ticket();
        }
        return -1;
    }

    /** After a pool turned the request down: stop if the pod was deleted meanwhile, else route again. */
    private void next(Record<String, Object> record, PodState state, byte[] intent, long now, String why) {
        if (state.deleteRequested()) {
            cancelled(record, state, "deleted while being routed (" + why + ")", null, now);
            return;
        }
        route(record, state, requirementsOf(intent), intent, null, now);
    }

    // ---- routing

    private void route(Record<String, Object> record, PodState state, PodRequirements requirements, byte[] intent,
                       String intentId, long now) {
        MatchResult match = matcher.match(requirements, views(), Instant.ofEpochMilli(now));
        Route step = Route.next(match, state.noRoom(), state.unavailable());
        List<Candidate> candidates = annotate(match.candidates(), state);
        if (step instanceof Route.Reject reject) {
            reject(record, state, intentId, REASON_UNSCHEDULABLE, reject.reason(), candidates, now);
            return;
        }
        boolean mayQueue = step instanceof Route.Wait;
        Candidate pool = mayQueue ? ((Route.Wait) step).pool() : ((Route.Try) step).pool();
        state = state.sent(pool.poolId(), PodState.Phase.ROUTING, now);
        context.forward(record.withKey(pool.poolId()).withValue(new PoolMessage.Reserve(pool.poolId(), state.pod(),
                state.ticket(), state.attempt(), mayQueue, requirements.priority(), requirements.requests(),
                intent, candidates)), RouterTopology.PODS_TO_POOL_INBOX);
        save(state);
    }

    /** The candidates, with what pools answered in this attempt added to their reasons. */
    private static List<Candidate> annotate(List<Candidate> candidates, PodState state) {
        if (state.noRoom().isEmpty() && state.unavailable().isEmpty()) {
            return candidates;
        }
        List<Candidate> out = new ArrayList<>(candidates.size());
        for (Candidate c : candidates) {
            String unavailable = state.unavailable().get(c.poolId());
            if (unavailable != null) {
                c = c.lostBecause(unavailable);
            } else if (state.noRoom().contains(c.poolId())) {
                c = c.lostBecause("no room when tried");
            }
            out.add(c);
        }
        return out;
    }

    private static PodRequirements requirementsOf(byte[] intent) {
        return Intents.requirements(IntentBytes.routing(intent));
    }

    /**
     * Every pool's published view. The list is made again when the global store changed (or a second passed, in case
     * it was written without the updater, as when restored), and a view is decoded only when its bytes changed.
     */
    private List<PoolView> views() {
        long changes = viewChanges.get();
        long now = System.nanoTime();
        if (viewList != null && changes == viewListChanges && now - viewListAt < 1_000_000_000L) {
            return viewList;
        }
        viewListChanges = changes;
        viewListAt = now;
        List<PoolView> result = new ArrayList<>();
        Set<String> present = new HashSet<>();
        try (KeyValueIterator<String, byte[]> it = views.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> entry = it.next();
                present.add(entry.key);
                CachedView cached = viewCache.get(entry.key);
                // compare the bytes, not the version: a router that restarted may publish a version number again
                if (cached == null || !Arrays.equals(cached.bytes(), entry.value)) {
                    cached = new CachedView(entry.value, RouterCodec.POOL_VIEW.deserializer().deserialize(null, entry.value));
                    viewCache.put(entry.key, cached);
                }
                result.add(cached.view());
            }
        }
        if (present.size() != viewCache.size()) {
            viewCache.keySet().retainAll(present);
        }
        viewList = List.copyOf(result);
        return viewList;
    }

    // ---- outcomes

    private void reject(Record<String, Object> record, PodState state, String intentId, String reason, String message,
                        List<Candidate> candidates, long now) {
        state = state.with(PodState.Phase.REJECTED, now).nextDecision().nextStatus();
        LOG.info("rejected: {}", message);
        emitDecision(record, state, intentId, DecisionOutcome.REJECTED, null, null, message,
                Decisions.candidates(candidates, null, matcher.policy()), now);
        emitStatus(record, state, PodPhase.FAILED, reason, message, null, null, now);
        save(state);
    }

    private void cancelled(Record<String, Object> record, PodState state, String message, String poolId, long now) {
        finish(record, state.with(PodState.Phase.CANCELLED, now), null, DecisionOutcome.CANCELLED, poolId, null,
                message, now);
    }

    private void finish(Record<String, Object> record, PodState state, String intentId, DecisionOutcome outcome,
                        String poolId, String site, String message, long now) {
        state = state.nextDecision().nextStatus();
        emitDecision(record, state, intentId, outcome, poolId, site, message, List.of(), now);
        emitStatus(record, state, PodPhase.FAILED, REASON_DELETED, message, site, poolId, now);
        save(state);
    }

    private void emitDecision(Record<String, Object> record, PodState state, String intentId, DecisionOutcome outcome,
                              String poolId, String site, String reason, List<dev.ferry.events.Candidate> candidates,
                              long now) {
        String id = intentId != null ? intentId : state.intentIds().get(state.intentIds().size() - 1);
        RoutingDecision decision = Decisions.decision(state.pod().uid() + "/routing/" + state.decisionSequence(), id,
                state.pod(), outcome, poolId, site, state.attempt(), reason, candidates, now);
        context.forward(record.withKey(state.pod().uid()).withValue(decision), RouterTopology.PODS_TO_DECISIONS);
    }

    /**
     * Writes a status as the router: source ROUTER, this pod's next router sequence (the caller advanced it with
     * {@link PodState#nextStatus()}), the current attempt. See the class comment for the ordering.
     */
    private void emitStatus(Record<String, Object> record, PodState state, PodPhase phase, String reason,
                            String message, String site, String poolId, long now) {
        PodStatusEvent status = PodStatusEvent.newBuilder()
                .setPod(state.pod().toRef())
                .setPhase(phase)
                .setReason(reason)
                .setMessage(message)
                .setAttempt(state.attempt())
                .setSource(StatusSource.ROUTER)
                .setSequence(state.statusSequence())
                .setSite(site)
                .setPoolId(poolId)
                .setObservedAt(Instant.ofEpochMilli(now))
                .build();
        context.forward(record.withKey(state.pod().uid()).withValue(status), RouterTopology.PODS_TO_STATUS);
    }

    // ---- housekeeping

    /** The pod's state; null when the store holds none (looked up only when {@link #known} says it may). */
    private PodState state(String uid) {
        return known.mayHold(uid) ? pods.get(uid) : null;
    }

    /** Stores the pod's state; a terminal one is also indexed by time, for {@link #expireFinished}. */
    private void save(PodState state) {
        pods.put(state.pod().uid(), state);
        known.stored(state.pod().uid());
        if (state.phase().terminal()) {
            expiry.put(expiryKey(state.updatedAt(), state.pod().uid()), state.pod().uid());
        }
    }

    /**
     * Forgets terminal pods after the retention (a duplicate intent later than that would route the pod again). The
     * time index makes this a range over what expired, not a scan of every pod.
     */
    private void expireFinished(long now) {
        long before = now - finishedRetention.toMillis();
        if (before <= 0) {
            return;
        }
        List<KeyValue<String, String>> due = new ArrayList<>();
        try (KeyValueIterator<String, String> it = expiry.range(expiryKey(0, ""), expiryKey(before, "\uffff"))) {
            while (it.hasNext()) {
                due.add(it.next());
            }
        }
        int forgotten = 0;
        for (KeyValue<String, String> entry : due) {
            expiry.delete(entry.key);
            PodState state = pods.get(entry.value);
            if (state != null && state.phase().terminal() && state.updatedAt() <= before) {
                pods.delete(entry.value);
                forgotten++;
            }
        }
        if (forgotten > 0) {
            LOG.debug("forgot {} finished pods", forgotten);
        }
    }

    /** Sorts by time: 16 hex digits of epoch millis, then the UID. */
    static String expiryKey(long millis, String uid) {
        String hex = Long.toHexString(millis);
        return "0".repeat(16 - hex.length()) + hex + uid;
    }

    private static String describe(PodState state) {
        return switch (state.phase()) {
            case ROUTING -> "placed in pool " + state.poolId();
            case QUEUED -> "queued in pool " + state.poolId();
            case REJECTED -> "rejected";
            case CANCELLED -> "cancelled";
            case FINISHED -> "finished";
        };
    }

    /** A decoded view and the bytes it was decoded from. */
    private record CachedView(byte[] bytes, PoolView view) {
    }
}
