package dev.ferry.router;

import dev.ferry.events.CommandType;
import dev.ferry.events.DecisionOutcome;
import dev.ferry.events.JobCommand;
import dev.ferry.router.model.Matcher;
import dev.ferry.router.model.PoolSpec;
import dev.ferry.router.model.PoolState;
import dev.ferry.router.model.PoolUsage;
import dev.ferry.router.model.Resources;
import dev.ferry.router.model.ScoringPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.StringSerializer;
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
 * The pools' side (see {@link RouterTopology}): one task per partition of the pool inbox, the only writer of its
 * pools' reservations and queues. It never reserves beyond a pool's allocatable; a queue's head is never
 * overtaken (a pod is started from the queue only when every pod ahead of it has been).
 */
final class PoolKeeper implements Processor<String, PoolMessage, String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(PoolKeeper.class);

    /** Any legal site name: the jobs topics of all sites share one value serde. */
    static final String ANY_SITE = "any";

    /** The ticket of a pod's first request to any pool ({@link PodState#sent} counts from 0). */
    static final long FIRST_TICKET = 1;

    private static final char SEP = '\u0000';
    private static final StringSerializer KEYS = new StringSerializer();

    private final Matcher matcher;
    private final Duration viewInterval;
    private final Duration poolCheckInterval;
    private final Set<String> dirty = new HashSet<>();

    private ProcessorContext<String, Object> context;
    private Ledgers ledgers;
    private KeyValueStore<String, Holding> holdings;
    private KeyValueStore<String, QueueEntry> queue;
    private boolean publishAll = true;

    PoolKeeper(Matcher matcher, Duration viewInterval, Duration poolCheckInterval) {
        this.matcher = matcher;
        this.viewInterval = viewInterval;
        this.poolCheckInterval = poolCheckInterval;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.ledgers = new Ledgers(context.getStateStore(RouterTopology.SPECS_STORE),
                context.getStateStore(RouterTopology.LEDGERS_STORE));
        this.holdings = context.getStateStore(RouterTopology.HOLDINGS_STORE);
        this.queue = context.getStateStore(RouterTopology.QUEUE_STORE);
        // initialised again after every restore (a crash, an aborted transaction, a moved task): start from the stores
        this.dirty.clear();
        this.publishAll = true;
        context.schedule(viewInterval, PunctuationType.WALL_CLOCK_TIME, this::publishViews);
        context.schedule(poolCheckInterval, PunctuationType.WALL_CLOCK_TIME, this::checkHeartbeats);
    }

    @Override
    public void process(Record<String, PoolMessage> record) {
        PoolMessage message = record.value();
        if (message == null) {
            return;
        }
        MDC.put("pool", message.poolId());
        try {
            if (message instanceof PoolMessage.AdvertChanged m) {
                onAdvert(record, m);
            } else if (message instanceof PoolMessage.Reserve m) {
                MDC.put("podUid", m.pod().uid());
                onReserve(record, m);
            } else if (message instanceof PoolMessage.Cancel m) {
                MDC.put("podUid", m.pod().uid());
                onCancel(record, m);
            } else if (message instanceof PoolMessage.Release m) {
                MDC.put("podUid", m.pod().uid());
                onRelease(record, m);
            }
        } finally {
            MDC.remove("pool");
            MDC.remove("podUid");
        }
    }

    // ---- adverts

    private void onAdvert(Record<String, PoolMessage> record, PoolMessage.AdvertChanged m) {
        String poolId = m.poolId();
        PoolLedger ledger = ledgers.get(poolId);
        PoolSpec spec;
        if (m.advert() == null) {
            if (ledger == null) {
                return;
            }
            PoolSpec old = ledger.spec();
            spec = new PoolSpec(old.poolId(), old.site(), old.backend(), old.labels(), old.taints(), old.allocatable(),
                    PoolState.DOWN, old.heartbeatAt(), old.heartbeatTtl(), old.allowedNamespaces(),
                    old.maxWalltimeSeconds(), "its advert was deleted", old.defects());
        } else {
            spec = Adverts.spec(m.advert());
            if (!spec.poolId().equals(poolId)) {
                List<String> defects = new ArrayList<>(spec.defects());
                defects.add("its poolId " + spec.poolId() + " differs from its record key " + poolId);
                spec = new PoolSpec(poolId, spec.site(), spec.backend(), spec.labels(), spec.taints(), spec.allocatable(),
                        spec.state(), spec.heartbeatAt(), spec.heartbeatTtl(), spec.allowedNamespaces(),
                        spec.maxWalltimeSeconds(), spec.message(), defects);
            }
            if (!spec.defects().isEmpty()) {
                LOG.warn("pool {} advertised with defects, it receives no pods: {}", poolId, spec.defects());
            }
        }
        ledger = ledger == null ? new PoolLedger(spec, PoolUsage.EMPTY, 0, 1) : ledger.with(spec);
        ledgers.put(poolId, ledger);
        publish(record, poolId, ledger);
        long now = context.currentSystemTimeMs();
        String unavailable = spec.unavailableReason(Instant.ofEpochMilli(now));
        if (!unavailable.isEmpty()) {
            bounce(record, poolId, entry -> true, unavailable);
        } else {
            Resources allocatable = spec.allocatable();
            bounce(record, poolId, entry -> !entry.request().fitsWithin(allocatable),
                    "the pool's allocatable shrank to " + allocatable);
            drain(record, poolId);
        }
    }

    // ---- requests

    private void onReserve(Record<String, PoolMessage> record, PoolMessage.Reserve m) {
        String poolId = m.poolId();
        long now = context.currentSystemTimeMs();
        PoolLedger ledger = ledgers.get(poolId);
        if (ledger == null) {
            answer(record, m.pod(), new PodMessage.Unavailable(m.ticket(), poolId, "pool " + poolId + " is not known",
                    m.intent()));
            return;
        }
        String unavailable = ledger.spec().unavailableReason(Instant.ofEpochMilli(now));
        if (!unavailable.isEmpty()) {
            answer(record, m.pod(), new PodMessage.Unavailable(m.ticket(), poolId, unavailable, m.intent()));
            return;
        }
        List<String> never = m.request().shortfalls(ledger.spec().allocatable(), "pool offers");
        if (!never.isEmpty()) {
            answer(record, m.pod(), new PodMessage.Unavailable(m.ticket(), poolId, String.join(", ", never),
                    m.intent()));
            return;
        }
        String holdingKey = holdingKey(poolId, m.pod().uid());
        // A pod's first request (ticket 1) cannot find a holding: its routing side has never asked any pool before,
        // and a pod's state is forgotten only after every pool let it go. Later requests look, as a safety net for
        // the re-routing paths; the look is a store read, which on this path would cost more than the rest of it.
        Holding held = m.ticket() <= FIRST_TICKET ? null : holdings.get(holdingKey);
        if (held != null) {
            // cannot happen with one outstanding request per pod; answer as the holding says rather than hold twice
            LOG.warn("pool {} already holds pod {} (ticket {}), request {} not taken again", poolId, m.pod(),
                    held.ticket(), m.ticket());
            if (held.queued()) {
                answer(record, m.pod(), new PodMessage.Queued(m.ticket(), poolId, ledger.spec().site(),
                        position(poolId, held.queueKey(), ledger), "already waiting in the queue of pool " + poolId));
            }
            return;
        }
        String queueKey = queueKey(poolId, m.priority(), ledger.nextArrival());
        boolean fits = ledger.usage().reserved().plus(m.request()).fitsWithin(ledger.spec().allocatable());
        boolean anyAhead = ledger.usage().queued() > 0 && anyAhead(poolId, queueKey);
        if (fits && !anyAhead) {
            assign(record, ledger, m.pod(), m.ticket(), m.attempt(), m.request(), m.intent(),
                    Decisions.candidates(m.candidates(), poolId, matcher.policy()), chosenBecause(matcher.policy()),
                    now);
            return;
        }
        String why = fits ? "pods that came first or rank higher wait ahead of it"
                : "pool " + poolId + " has " + ledger.spec().allocatable().minus(ledger.usage().reserved())
                + " free, the pod needs " + m.request();
        if (!m.mayQueue()) {
            answer(record, m.pod(), new PodMessage.NoRoom(m.ticket(), poolId, why, m.intent()));
            return;
        }
        queue.put(queueKey, new QueueEntry(m.pod(), m.ticket(), m.attempt(), m.priority(), m.request(), m.intent(), now));
        holdings.put(holdingKey, new Holding(m.pod(), m.ticket(), m.attempt(), ledger.spec().site(), m.request(),
                queueKey, false));
        ledger = ledger.arrived().with(ledger.usage().enqueue(m.request()));
        ledgers.put(poolId, ledger);
        dirty.add(poolId);
        long position = position(poolId, queueKey, ledger);
        String reason = "waiting for capacity in pool " + poolId + " at site " + ledger.spec().site() + ": position "
                + position + " of " + ledger.usage().queued() + " in its queue; " + why;
        answer(record, m.pod(), new PodMessage.Queued(m.ticket(), poolId, ledger.spec().site(), position, reason));
        decide(record, m.pod(), null, DecisionOutcome.QUEUED, poolId, ledger.spec().site(), m.attempt(),
                "queued/" + m.ticket(), reason, Decisions.candidates(m.candidates(), poolId, matcher.policy()), now);
        LOG.debug("queued {} at position {}", m.pod(), position);
    }

    private void onCancel(Record<String, PoolMessage> record, PoolMessage.Cancel m) {
        String poolId = m.poolId();
        String holdingKey = holdingKey(poolId, m.pod().uid());
        Holding held = holdings.get(holdingKey);
        if (held == null) {
            answer(record, m.pod(), new PodMessage.CancelOutcome(m.ticket(), poolId, PodMessage.CancelOutcome.Kind.NOT_HELD));
            return;
        }
        if (held.queued()) {
            dequeue(poolId, held);
            answer(record, m.pod(), new PodMessage.CancelOutcome(held.ticket(), poolId,
                    PodMessage.CancelOutcome.Kind.REMOVED_FROM_QUEUE));
            drain(record, poolId);
            return;
        }
        if (!held.cancelSent()) {
            long now = context.currentSystemTimeMs();
            JobCommand cancel = JobCommand.newBuilder()
                    .setCommandId(m.pod().uid() + "/cancel/" + held.attempt())
                    .setType(CommandType.CANCEL)
                    .setPod(m.pod().toRef())
                    .setSite(held.site())
                    .setPoolId(poolId)
                    .setAttempt(held.attempt())
                    .setReason("the pod was deleted")
                    .setIssuedAt(Instant.ofEpochMilli(now))
                    .build();
            context.forward(record.withKey(m.pod().uid()).withValue(cancel), RouterTopology.POOLS_TO_JOBS);
            holdings.put(holdingKey, held.cancelled());
        }
        answer(record, m.pod(), new PodMessage.CancelOutcome(held.ticket(), poolId, PodMessage.CancelOutcome.Kind.CANCEL_SENT));
    }

    private void onRelease(Record<String, PoolMessage> record, PoolMessage.Release m) {
        String poolId = m.poolId();
        Holding held = holdings.get(holdingKey(poolId, m.pod().uid()));
        if (held == null) {
            LOG.debug("release of {} which pool {} does not hold", m.pod(), poolId);
            return;
        }
        if (held.queued()) {
            dequeue(poolId, held);
        } else {
            holdings.delete(holdingKey(poolId, m.pod().uid()));
            PoolLedger ledger = ledgers.get(poolId);
            ledgers.put(poolId, ledger.with(ledger.usage().release(held.request())));
            dirty.add(poolId);
        }
        drain(record, poolId);
    }

    // ---- the queue

    /** Starts queued pods from the head while they fit (never skipping one that does not). */
    private void drain(Record<String, ?> record, String poolId) {
        PoolLedger ledger = ledgers.get(poolId);
        long now = context.currentSystemTimeMs();
        if (ledger == null || ledger.usage().queued() == 0
                || !ledger.spec().unavailableReason(Instant.ofEpochMilli(now)).isEmpty()) {
            return;
        }
        List<KeyValue<String, QueueEntry>> startable = new ArrayList<>();
        Resources reserved = ledger.usage().reserved();
        try (KeyValueIterator<String, QueueEntry> it = queue.prefixScan(poolId + SEP, KEYS)) {
            while (it.hasNext()) {
                KeyValue<String, QueueEntry> next = it.next();
                Resources after = reserved.plus(next.value.request());
                if (!after.fitsWithin(ledger.spec().allocatable())) {
                    break;
                }
                reserved = after;
                startable.add(next);
            }
        }
        for (KeyValue<String, QueueEntry> entry : startable) {
            QueueEntry e = entry.value;
            queue.delete(entry.key);
            ledger = ledgers.get(poolId);
            ledger = ledger.with(ledger.usage().dequeue(e.request()));
            long waited = Math.max(0, now - e.queuedAt()) / 1000;
            assign(record, ledger, e.pod(), e.ticket(), e.attempt(), e.request(), e.intent(), List.of(),
                    "started from the queue of pool " + poolId + " at site " + ledger.spec().site()
                            + " after capacity was freed (waited " + waited + " s)", now);
        }
    }

    /** Takes the matching queued pods out of the queue and tells their routing side to route them again. */
    private void bounce(Record<String, ?> record, String poolId, java.util.function.Predicate<QueueEntry> which,
                        String reason) {
        PoolLedger ledger = ledgers.get(poolId);
        if (ledger == null || ledger.usage().queued() == 0) {
            return;
        }
        List<KeyValue<String, QueueEntry>> out = new ArrayList<>();
        try (KeyValueIterator<String, QueueEntry> it = queue.prefixScan(poolId + SEP, KEYS)) {
            while (it.hasNext()) {
                KeyValue<String, QueueEntry> next = it.next();
                if (which.test(next.value)) {
                    out.add(next);
                }
            }
        }
        for (KeyValue<String, QueueEntry> entry : out) {
            QueueEntry e = entry.value;
            Holding held = holdings.get(holdingKey(poolId, e.pod().uid()));
            if (held != null) {
                dequeue(poolId, held);
            } else {
                queue.delete(entry.key);
            }
            answer(record, e.pod(), new PodMessage.Bounced(e.ticket(), poolId, reason, e.intent()));
        }
        if (!out.isEmpty()) {
            LOG.info("pool {}: {} queued pods routed again: {}", poolId, out.size(), reason);
        }
    }

    private void dequeue(String poolId, Holding held) {
        queue.delete(held.queueKey());
        holdings.delete(holdingKey(poolId, held.pod().uid()));
        PoolLedger ledger = ledgers.get(poolId);
        ledgers.put(poolId, ledger.with(ledger.usage().dequeue(held.request())));
        dirty.add(poolId);
    }

    /** True when some pod waits in the pool's queue ahead of {@code queueKey}. */
    private boolean anyAhead(String poolId, String queueKey) {
        try (KeyValueIterator<String, QueueEntry> it = queue.prefixScan(poolId + SEP, KEYS)) {
            return it.hasNext() && it.next().key.compareTo(queueKey) < 0;
        }
    }

    /** Number of queued pods ahead of {@code queueKey} in the pool's queue (0 when none). */
    private long aheadOf(String poolId, String queueKey) {
        try (KeyValueIterator<String, QueueEntry> it = queue.range(poolId + SEP, queueKey)) {
            long n = 0;
            while (it.hasNext()) {
                if (!it.next().key.equals(queueKey)) {
                    n++;
                }
            }
            return n;
        }
    }

    /** 1-based position of {@code queueKey}: behind everyone when nothing follows it, else counted. */
    private long position(String poolId, String queueKey, PoolLedger ledger) {
        try (KeyValueIterator<String, QueueEntry> after = queue.range(queueKey + SEP, poolId + SEP + "\uffff")) {
            if (!after.hasNext()) {
                return ledger.usage().queued();
            }
        }
        return aheadOf(poolId, queueKey) + 1;
    }

    // ---- outcomes

    private void assign(Record<String, ?> record, PoolLedger ledger, PodId pod, long ticket, int attempt,
                        Resources request, byte[] intentBytes, List<dev.ferry.events.Candidate> candidates,
                        String reason, long now) {
        String poolId = ledger.spec().poolId();
        String site = ledger.spec().site();
        holdings.put(holdingKey(poolId, pod.uid()), new Holding(pod, ticket, attempt, site, request, null, false));
        ledgers.put(poolId, ledger.with(ledger.usage().reserve(request)));
        dirty.add(poolId);
        String intentId = IntentBytes.intentId(intentBytes);
        context.forward(record.withKey(pod.uid()).withValue(new RunCommand(intentId + "/run/" + attempt, pod, site, poolId,
                attempt, intentBytes, reason, now)), RouterTopology.POOLS_TO_JOBS);
        decide(record, pod, intentId, DecisionOutcome.ASSIGNED, poolId, site, attempt, "assigned/" + ticket, reason,
                candidates, now);
        LOG.debug("assigned {} to pool {}", pod, poolId);
    }

    private void decide(Record<String, ?> record, PodId pod, String intentId, DecisionOutcome outcome, String poolId,
                        String site, int attempt, String suffix, String reason,
                        List<dev.ferry.events.Candidate> candidates, long now) {
        var decision = Decisions.decision(pod.uid() + "/" + attempt + "/" + suffix, intentId, pod, outcome, poolId, site,
                attempt, reason, candidates, now);
        context.forward(record.withKey(pod.uid()).withValue(decision), RouterTopology.POOLS_TO_DECISIONS);
    }

    private void answer(Record<String, ?> record, PodId pod, PodMessage message) {
        context.forward(record.withKey(pod.uid()).withValue(message), RouterTopology.POOLS_TO_POD_INBOX);
    }

    private void publish(Record<String, ?> record, String poolId, PoolLedger ledger) {
        context.forward(record.withKey(poolId).withValue(RouterCodec.POOL_VIEW.serializer().serialize(null, ledger.view())),
                RouterTopology.POOLS_TO_VIEW);
        dirty.remove(poolId);
    }

    // ---- punctuations

    private void publishViews(long now) {
        if (publishAll) {
            publishAll = false;
            dirty.addAll(ledgers.ids());
        }
        if (dirty.isEmpty()) {
            return;
        }
        for (String poolId : List.copyOf(dirty)) {
            PoolLedger ledger = ledgers.get(poolId);
            if (ledger != null) {
                publish(new Record<>(poolId, null, now), poolId, ledger);
            }
            dirty.remove(poolId);
        }
    }

    /** Pools whose executor stopped heartbeating have their queued pods routed elsewhere. */
    private void checkHeartbeats(long now) {
        List<String> stale = new ArrayList<>();
        for (String poolId : ledgers.ids()) {
            PoolLedger ledger = ledgers.get(poolId);
            if (ledger.usage().queued() > 0 && !ledger.spec().unavailableReason(Instant.ofEpochMilli(now)).isEmpty()) {
                stale.add(poolId);
            }
        }
        for (String poolId : stale) {
            PoolLedger ledger = ledgers.get(poolId);
            bounce(new Record<>(poolId, null, now), poolId, e -> true,
                    ledger.spec().unavailableReason(Instant.ofEpochMilli(now)));
        }
    }

    /**
     * The pools' ledgers, kept as two stores (the advert, which rarely changes, and the counts, which change with
     * every pod) behind a cache of decoded ledgers. The cache is this task's own (this processor is the stores'
     * only writer) and starts empty whenever the processor is initialised, which Kafka Streams does again after it
     * restored the stores (a crash, an aborted transaction, a moved task).
     */
    private static final class Ledgers {
        private final KeyValueStore<String, PoolSpec> specs;
        private final KeyValueStore<String, PoolLedger.Counts> counts;
        private final java.util.Map<String, PoolLedger> cache = new java.util.HashMap<>();

        Ledgers(KeyValueStore<String, PoolSpec> specs, KeyValueStore<String, PoolLedger.Counts> counts) {
            this.specs = specs;
            this.counts = counts;
        }

        PoolLedger get(String poolId) {
            PoolLedger ledger = cache.get(poolId);
            if (ledger == null) {
                PoolSpec spec = specs.get(poolId);
                PoolLedger.Counts c = counts.get(poolId);
                if (spec == null || c == null) {
                    return null;
                }
                ledger = new PoolLedger(spec, c.usage(), c.nextArrival(), c.version());
                cache.put(poolId, ledger);
            }
            return ledger;
        }

        void put(String poolId, PoolLedger ledger) {
            PoolLedger before = cache.get(poolId);
            if (before == null || before.spec() != ledger.spec()) {
                specs.put(poolId, ledger.spec());
            }
            counts.put(poolId, ledger.counts());
            cache.put(poolId, ledger);
        }

        List<String> ids() {
            List<String> ids = new ArrayList<>();
            try (KeyValueIterator<String, PoolSpec> it = specs.all()) {
                while (it.hasNext()) {
                    ids.add(it.next().key);
                }
            }
            return ids;
        }
    }

    // ---- keys

    static String holdingKey(String poolId, String uid) {
        return poolId + SEP + uid;
    }

    /** Orders by pool, then priority (highest first: the complement as 8 hex digits), then arrival. */
    static String queueKey(String poolId, int priority, long arrival) {
        long inverted = 0x7FFFFFFFL - priority;
        return poolId + SEP + hex(inverted, 8) + hex(arrival, 16);
    }

    private static String hex(long value, int digits) {
        String hex = Long.toHexString(value);
        return "0".repeat(Math.max(0, digits - hex.length())) + hex;
    }

    /** Why the chosen pool, for the decision and the pod's Event (where it went is said beside it). */
    private static String chosenBecause(ScoringPolicy policy) {
        return policy == ScoringPolicy.BIN_PACK
                ? "the pod fits; of the pools it fits, this one has the least left over (bin-pack)"
                : "the pod fits; of the pools it fits, this one has the most left over (spread)";
    }
}
