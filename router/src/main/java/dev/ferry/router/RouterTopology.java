package dev.ferry.router;

import dev.ferry.events.JobCommand;
import dev.ferry.events.PodIntent;
import dev.ferry.router.model.Matcher;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.Topics;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The router as a Kafka Streams {@link Topology}, built by {@link #build(RouterConfig, Topics)}.
 *
 * <h2>Two halves, keyed differently</h2>
 * A pod's life and a pool's capacity are owned by different partitions, and each owner is the only writer of
 * its state (terminal pods are also indexed by time in {@value #PODS_EXPIRY_STORE}, and forgotten after
 * {@code ferry.router.finished-retention}):
 * <ul>
 *   <li><b>The routing side</b> ({@value #POD_ROUTER}, store {@value #PODS_STORE}) is keyed by pod UID. It reads
 *       {@code pod-intents}, {@code pod-status} and the pools' answers ({@code <application-id>-pod-inbox}), all
 *       keyed by pod UID and co-partitioned, so every event about one pod is handled by one task, one at a time,
 *       in order. It drops duplicate intents, validates, matches the pod against every pool's published view
 *       (the global store {@value #VIEWS_STORE}), and sends a request to one pool. It remembers which pool holds
 *       the pod's request ({@code pod → pool}), so a DELETE becomes a cancel, and an executor's terminal status
 *       (keyed by pod UID) becomes a release, both re-keyed to that pool.</li>
 *   <li><b>The pools' side</b> ({@value #POOL_KEEPER}, stores {@value #SPECS_STORE}, {@value #LEDGERS_STORE},
 *       {@value #HOLDINGS_STORE}, {@value #QUEUE_STORE}) is keyed by pool id and reads only {@code <application-id>-pool-inbox}: the
 *       pools' adverts (forwarded from {@code pools}) and the routing side's requests. It alone decides whether a
 *       pod fits: it reserves and writes the RUN command to {@code jobs.<site>} and the ASSIGNED decision, or
 *       queues (ordered by priority, then arrival; the head of a queue is never overtaken), cancels, releases and
 *       starts queued pods. Every 50 ms (configurable) it publishes each changed pool's advert and usage to
 *       {@code <application-id>-pool-view}, which the routing side reads.</li>
 * </ul>
 *
 * <h2>Why intents for one pod cannot race</h2>
 * Had the pools' side been fed straight from {@code pod-intents} re-keyed by pool, a CREATE and a later DELETE
 * (or a duplicate CREATE after the pools changed) could be re-keyed to different pools, land on different
 * partitions, and be handled in any order: a pod could be assigned twice, or its cancel reach a pool that never
 * held it. Here every decision about a pod is made by its routing task, serially, and
 * <ul>
 *   <li>at most one request per pod is outstanding: a new one (to another pool) is sent only after the pool that
 *       had the last one answered that it did not keep it ("no room", "unavailable", "bounced from the queue");
 *       an assignment is never answered, because the pod then simply stays where its request is;</li>
 *   <li>a cancel or release goes to the pool holding the outstanding request. Both are produced by the same
 *       routing task after the request and go to the same partition of the pool inbox, so the pool's partition
 *       sees them after the request (across a task migration too: the request was committed before);</li>
 *   <li>every request carries a ticket number that the answers repeat; an answer to an older ticket is
 *       ignored.</li>
 * </ul>
 * The routing side's view of usage may lag (by the publication interval plus a commit); that only makes a
 * choice less than ideal: a pool that turns out full answers "no room" and the next pool is tried, and a pod
 * that fits nowhere now waits in the queue with the most room after its backlog. The pools' side never
 * reserves beyond allocatable. A pod that arrives while the routing side knows no pool at all (a router started
 * before any executor advertised) is rejected with "no pool is known".
 *
 * <h2>The pod travels as bytes</h2>
 * The routing side decodes only the fields of an intent it matches on ({@code RoutingIntent}, an Avro projection
 * of {@code PodIntent}; the rest of the pod is skipped). The pod itself travels on as the Avro body the gateway
 * wrote ({@link IntentDeserializer}, {@link IntentBytes}) and is copied into the RUN command
 * ({@link JobCommandSerializer}) when the gateway used the router's schema version; otherwise it is encoded again.
 *
 * <h2>Guarantees</h2>
 * Run with {@code processing.guarantee=exactly_once_v2} ({@link RouterApp} sets it): the stores' changelogs, the
 * messages between the halves, the commands and the decisions of one commit are one transaction, so a crash
 * neither loses nor repeats a reservation or a RUN. Records that cannot be decoded go to {@code dead-letters}
 * ({@link RouterErrorHandlers}); an intent that cannot run anywhere is REJECTED with a Failed status; neither
 * stops the router.
 *
 * <h2>Names</h2>
 * Every source, processor, sink and store has an explicit, stable name (the constants below), so state and
 * internal topics survive changes to the code.
 */
public final class RouterTopology {

    public static final String POD_INTENTS_SOURCE = "pod-intents-source";
    public static final String POD_STATUS_SOURCE = "pod-status-source";
    public static final String POD_INBOX_SOURCE = "pod-inbox-source";
    public static final String POOLS_SOURCE = "pools-source";
    public static final String POOL_INBOX_SOURCE = "pool-inbox-source";
    public static final String POOL_VIEW_SOURCE = "pool-view-source";

    public static final String ADVERT_FORWARDER = "advert-forwarder";
    public static final String POD_ROUTER = "pod-router";
    public static final String POOL_KEEPER = "pool-keeper";
    public static final String VIEW_UPDATER = "pool-view-updater";

    public static final String ADVERTS_TO_POOL_INBOX = "adverts-to-pool-inbox";
    public static final String PODS_TO_POOL_INBOX = "pods-to-pool-inbox";
    public static final String PODS_TO_DECISIONS = "pods-to-decisions";
    public static final String PODS_TO_STATUS = "pods-to-pod-status";
    public static final String POOLS_TO_POD_INBOX = "pools-to-pod-inbox";
    public static final String POOLS_TO_DECISIONS = "pools-to-decisions";
    public static final String POOLS_TO_JOBS = "pools-to-jobs";
    public static final String POOLS_TO_VIEW = "pools-to-pool-view";

    public static final String PODS_STORE = "router-pods";
    public static final String PODS_EXPIRY_STORE = "router-pods-expiry";
    public static final String SPECS_STORE = "router-pool-specs";
    public static final String LEDGERS_STORE = "router-pool-ledgers";
    public static final String HOLDINGS_STORE = "router-pool-holdings";
    public static final String QUEUE_STORE = "router-pool-queue";
    public static final String VIEWS_STORE = "router-pool-views";

    private RouterTopology() {
    }

    /**
     * Builds the router's topology.
     *
     * @param config the router's settings (application id, scoring, intervals, stores)
     * @param topics Ferry's topics with their serdes
     * @return the topology; run it with {@link RouterApp#streamsProperties} settings
     */
    public static Topology build(RouterConfig config, Topics topics) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(topics, "topics");
        RouterTopics own = RouterTopics.of(config, topics);
        Matcher matcher = new Matcher(config.scoring(), config.ignoredNodeLabels());
        AtomicLong viewChanges = new AtomicLong();
        StringDeserializer keys = new StringDeserializer();
        StringSerializer keyOut = new StringSerializer();
        Topology topology = new Topology();

        // adverts: pools (key pool id) -> pool inbox, so a pool's adverts and requests share one partition and order
        topology.addSource(POOLS_SOURCE, keys, topics.pools().valueSerde().deserializer(), topics.pools().name());
        topology.addProcessor(ADVERT_FORWARDER, AdvertForwarder::new, POOLS_SOURCE);
        topology.addSink(ADVERTS_TO_POOL_INBOX, own.poolInbox().name(), keyOut, own.poolInbox().valueSerde().serializer(),
                ADVERT_FORWARDER);

        // the routing side, keyed by pod UID
        topology.addSource(POD_INTENTS_SOURCE, keys, new IntentDeserializer(topics.podIntents().valueSerde().deserializer(),
                lookupOnly(topics).value(PodIntent.class).serializer()), topics.podIntents().name());
        topology.addSource(POD_STATUS_SOURCE, keys, topics.podStatus().valueSerde().deserializer(),
                topics.podStatus().name());
        topology.addSource(POD_INBOX_SOURCE, keys, own.podInbox().valueSerde().deserializer(), own.podInbox().name());
        topology.addProcessor(POD_ROUTER, () -> new PodRouter(matcher, config.finishedRetention(), viewChanges),
                POD_INTENTS_SOURCE, POD_STATUS_SOURCE, POD_INBOX_SOURCE);
        topology.addStateStore(store(config, PODS_STORE, RouterCodec.POD_STATE, false), POD_ROUTER);
        topology.addStateStore(store(config, PODS_EXPIRY_STORE, Serdes.String(), false), POD_ROUTER);
        topology.addSink(PODS_TO_POOL_INBOX, own.poolInbox().name(), keyOut, own.poolInbox().valueSerde().serializer(),
                POD_ROUTER);
        DecisionSerializer decisions = new DecisionSerializer(topics.decisions().valueSerde().serializer());
        topology.addSink(PODS_TO_DECISIONS, topics.decisions().name(), keyOut, decisions, POD_ROUTER);
        topology.addSink(PODS_TO_STATUS, topics.podStatus().name(), keyOut, topics.podStatus().valueSerde().serializer(),
                POD_ROUTER);

        // the pools' side, keyed by pool id
        topology.addSource(POOL_INBOX_SOURCE, keys, own.poolInbox().valueSerde().deserializer(), own.poolInbox().name());
        topology.addProcessor(POOL_KEEPER, () -> new PoolKeeper(matcher, config.viewInterval(), config.poolCheckInterval()),
                POOL_INBOX_SOURCE);
        topology.addStateStore(inMemory(SPECS_STORE, RouterCodec.POOL_SPEC, true), POOL_KEEPER);
        topology.addStateStore(inMemory(LEDGERS_STORE, RouterCodec.LEDGER_COUNTS, true), POOL_KEEPER);
        topology.addStateStore(inMemory(HOLDINGS_STORE, RouterCodec.HOLDING, false), POOL_KEEPER);
        topology.addStateStore(store(config, QUEUE_STORE, RouterCodec.QUEUE_ENTRY, false), POOL_KEEPER);
        topology.addSink(POOLS_TO_POD_INBOX, own.podInbox().name(), keyOut, own.podInbox().valueSerde().serializer(),
                POOL_KEEPER);
        topology.addSink(POOLS_TO_DECISIONS, topics.decisions().name(), keyOut, decisions, POOL_KEEPER);
        Map<String, String> jobsTopics = new ConcurrentHashMap<>();
        TopicNameExtractor<String, Object> jobsTopic = (key, command, context) -> jobsTopics.computeIfAbsent(
                command instanceof RunCommand run ? run.site() : ((JobCommand) command).getSite(),
                site -> topics.jobs(site).name());
        topology.addSink(POOLS_TO_JOBS, jobsTopic, keyOut,
                new JobCommandSerializer(topics.jobs(PoolKeeper.ANY_SITE).valueSerde().serializer()), POOL_KEEPER);
        topology.addSink(POOLS_TO_VIEW, own.poolView().name(), keyOut, own.poolView().valueSerde().serializer(), POOL_KEEPER);

        // every routing task reads every pool's view
        topology.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(VIEWS_STORE), Serdes.String(), Serdes.ByteArray())
                        .withLoggingDisabled(),
                POOL_VIEW_SOURCE, keys, own.poolView().valueSerde().deserializer(), own.poolView().name(), VIEW_UPDATER,
                () -> new ViewUpdater(viewChanges));
        return topology;
    }

    /**
     * Serdes that only look schemas up: the router learns how the gateway's records of its own schema version are
     * framed ({@link IntentDeserializer}) without registering anything under a topic it only reads.
     */
    private static EventSerdes lookupOnly(Topics topics) {
        SerdeConfig c = topics.serdes().config();
        return new EventSerdes(new SerdeConfig(c.registryUrl(), c.serializerClass(), c.deserializerClass(), false,
                c.passThrough()));
    }

    /**
     * A store; with the record cache where values are rewritten often within a commit. The queue is read by range
     * (its head, a pod's position), and a range over the record cache copies every cached key of the range first,
     * which makes each look at a long queue cost as much as the queue is long; so the queue goes to RocksDB
     * directly, where a range is a seek.
     */
    private static <V> StoreBuilder<?> store(RouterConfig config, String name,
                                             org.apache.kafka.common.serialization.Serde<V> serde, boolean cached) {
        return store(config.inMemoryStores() ? Stores.inMemoryKeyValueStore(name) : Stores.persistentKeyValueStore(name),
                serde, cached);
    }

    /**
     * A store kept in memory whatever {@code ferry.router.store} says: for the pools' side's stores that hold one entry
     * per pool or per pod a pool runs or queues (released pods leave), so their size follows the pools' capacity and
     * queues, not the pods' history. Each of a pod's reservations writes one; in memory a write costs the changelog
     * record only, in RocksDB another 4 µs or more (RouterBenchmark's profile). Restored from the changelog at start.
     */
    private static <V> StoreBuilder<?> inMemory(String name, org.apache.kafka.common.serialization.Serde<V> serde,
                                                boolean cached) {
        return store(Stores.inMemoryKeyValueStore(name), serde, cached);
    }

    private static <V> StoreBuilder<?> store(KeyValueBytesStoreSupplier supplier,
                                             org.apache.kafka.common.serialization.Serde<V> serde, boolean cached) {
        StoreBuilder<?> builder = Stores.keyValueStoreBuilder(supplier, Serdes.String(), serde);
        return cached ? builder.withCachingEnabled() : builder.withCachingDisabled();
    }
}
