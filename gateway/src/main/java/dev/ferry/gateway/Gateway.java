package dev.ferry.gateway;

import dev.ferry.events.PodIntent;
import dev.ferry.gateway.intent.ReferenceResolver;
import dev.ferry.gateway.intent.Sealer;
import dev.ferry.gateway.logs.KafkaLogSource;
import dev.ferry.gateway.logs.KubeletCertificates;
import dev.ferry.gateway.logs.KubeletLogServer;
import dev.ferry.gateway.node.NodeLeadership;
import dev.ferry.gateway.node.NodeSettings;
import dev.ferry.gateway.node.PoolCapacity;
import dev.ferry.gateway.status.DecisionEvents;
import dev.ferry.gateway.status.StatusWriter;
import dev.ferry.schema.DeadLetterPublisher;
import dev.ferry.schema.Topics;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway: Ferry's virtual nodes in a Kubernetes cluster.
 *
 * <p>For each configured node, a leader election ({@link NodeLeadership}) makes exactly one replica act for it
 * ({@link NodeAgent}: the Node, its Lease, the pods bound to it, their status). Shared by the nodes: the pools
 * read from {@code pools} (the nodes' capacity), the outbox that publishes intents and never drops one
 * ({@link IntentOutbox}), the kubelet log endpoint the API server proxies {@code kubectl logs} to, and a check of
 * whether Kafka answers (the nodes turn NotReady when it does not).
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    private static final Duration KAFKA_CHECK = Duration.ofSeconds(5);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final GatewayConfig config;
    private final Topics topics;
    private final Map<String, Object> kafkaConfig;
    private final KubernetesClient client;
    private final Clock clock;
    private final PoolCapacity pools = new PoolCapacity();
    private final StatusWriter statusWriter;
    private final ReferenceResolver resolver;
    private final Map<String, DecisionEvents> decisionEvents = new ConcurrentHashMap<>();
    private final Map<String, NodeAgent> agents = new ConcurrentHashMap<>();
    private final Set<String> waitingForKafka = ConcurrentHashMap.newKeySet();
    private final List<NodeLeadership> leaderships = new ArrayList<>();
    private final ExecutorService workers;
    private final ScheduledExecutorService scheduler;
    private final CompletableFuture<Throwable> failure = new CompletableFuture<>();
    private final Sealer sealerForIntents;
    private volatile boolean kafkaReachable = true;
    private DeadLetterPublisher deadLetters;
    private IntentOutbox outbox;
    private PoolsFeed poolsFeed;
    private KubeletLogServer logServer;
    private Admin admin;
    private GatewayConfig running;

    private Gateway(GatewayConfig config, Topics topics, Map<String, Object> kafkaConfig, KubernetesClient client,
                    Clock clock) {
        this.config = config;
        this.running = config;
        this.topics = topics;
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.client = client;
        this.clock = clock;
        this.statusWriter = new StatusWriter(client, clock);
        this.resolver = new ReferenceResolver(client, config.resolveTimeout());
        this.sealerForIntents = config.sealer().orElseGet(Gateway::unusableSealer);
        this.workers = Executors.newFixedThreadPool(4, daemonThreads("ferry-gateway-worker-"));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("ferry-gateway-kafka-check-"));
    }

    /**
     * Starts the gateway: the log endpoint, the pools feed, the intent outbox, and a leader election per node
     * (the nodes appear once this replica leads them).
     *
     * @param kafkaConfig {@code bootstrap.servers} and any other client settings, for producers and consumers
     */
    public static Gateway start(GatewayConfig config, Topics topics, Map<String, Object> kafkaConfig,
                                KubernetesClient client, Clock clock) {
        Gateway gateway = new Gateway(config, topics, kafkaConfig, client, clock);
        try {
            gateway.startParts();
            return gateway;
        } catch (RuntimeException e) {
            gateway.close();
            throw e;
        }
    }

    private void startParts() {
        deadLetters = DeadLetterPublisher.create(bootstrapServers(), topics, withoutBootstrap());
        outbox = new IntentOutbox(intentProducer(), topics.podIntents(), SEND_TIMEOUT, new OutboxListener()).start();
        poolsFeed = new PoolsFeed(this).start();
        logServer = new KubeletLogServer(new InetSocketAddress(config.kubeletBind(), config.kubeletPort()),
                new KafkaLogSource(kafkaConfig, topics, this::podUid));
        if (config.kubeletTls()) {
            logServer.withTls(KubeletCertificates.selfSigned(config.nodes().stream().map(NodeSettings::name)
                    .toList(), config.nodes().get(0).address()));
        }
        logServer.start();
        running = config.kubeletPort() == 0 ? config.withKubeletPort(logServer.port()) : config;
        Map<String, Object> adminConfig = new HashMap<>(kafkaConfig);
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000);
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4_000);
        admin = Admin.create(adminConfig);
        scheduler.scheduleWithFixedDelay(this::checkKafka, 0, KAFKA_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        for (NodeSettings node : running.nodes()) {
            NodeLeadership leadership = new NodeLeadership(client, node.name(), running.gatewayId(),
                    running.leaseDuration(), () -> lead(node), () -> stopLeading(node));
            leaderships.add(leadership);
            leadership.start();
        }
        LOG.info("Gateway {} started: nodes {}, log endpoint on port {}", running.gatewayId(),
                running.nodes().stream().map(NodeSettings::name).toList(), logServer.port());
    }

    private void lead(NodeSettings node) {
        NodeAgent agent = new NodeAgent(this, node);
        NodeAgent before = agents.put(node.name(), agent);
        if (before != null) {
            before.close();
        }
        agent.start();
    }

    private void stopLeading(NodeSettings node) {
        NodeAgent agent = agents.remove(node.name());
        if (agent != null) {
            agent.close();
        }
    }

    private void checkKafka() {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(4_000)).clusterId().get(5, TimeUnit.SECONDS);
            kafkaReachable(true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            kafkaReachable(false);
        }
    }

    private void kafkaReachable(boolean reachable) {
        if (reachable != kafkaReachable) {
            kafkaReachable = reachable;
            LOG.warn(reachable ? "Kafka answers again: nodes Ready" : "Kafka does not answer: nodes NotReady, new "
                    + "pods wait");
            agents.values().forEach(agent -> agent.keeper().kafkaReachable(reachable));
        }
    }

    /** The outbox's news, as pod conditions: why a pod waits, and that it stopped waiting. */
    private final class OutboxListener implements IntentOutbox.Listener {
        @Override
        public void published(IntentOutbox.Entry entry) {
            String uid = entry.intent().getPod().getUid();
            if (waitingForKafka.remove(uid)) {
                pod(entry).ifPresent(pod -> statusWriter.setCondition(pod, NodeAgent.INTENT_PUBLISHED, true,
                        "Published", "sent to Ferry's router"));
            }
        }

        @Override
        public void waiting(List<IntentOutbox.Entry> waiting, String why) {
            for (IntentOutbox.Entry entry : waiting) {
                if (waitingForKafka.add(entry.intent().getPod().getUid())) {
                    pod(entry).ifPresent(pod -> statusWriter.setCondition(pod, NodeAgent.INTENT_PUBLISHED, false,
                            "KafkaUnreachable", "waiting for Kafka (" + why + "); the pod is sent when it answers "
                                    + "again, nothing is lost"));
                }
            }
        }

        @Override
        public void reachable(boolean reachable) {
            kafkaReachable(reachable);
        }

        private Optional<Pod> pod(IntentOutbox.Entry entry) {
            try {
                return Optional.ofNullable(client.pods().inNamespace(entry.namespace()).withName(entry.name()).get())
                        .filter(p -> entry.intent().getPod().getUid().equals(p.getMetadata().getUid()));
            } catch (KubernetesClientException e) {
                LOG.debug("Could not read pod {}/{}: {}", entry.namespace(), entry.name(), e.getMessage());
                return Optional.empty();
            }
        }
    }

    /** Removes a pod whose deletion nothing has to wait for (it never reached a site, or it finished). */
    void finishDeletion(Pod pod) {
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            LOG.warn("Could not remove pod {}/{}: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                    e.getMessage());
        }
    }

    private Optional<String> podUid(String namespace, String name) {
        return agents.values().stream().map(a -> a.cachedUid(namespace, name)).flatMap(Optional::stream).findFirst()
                .or(() -> {
                    Pod pod = client.pods().inNamespace(namespace).withName(name).get();
                    return pod == null ? Optional.empty() : Optional.of(pod.getMetadata().getUid());
                });
    }

    private KafkaProducer<String, PodIntent> intentProducer() {
        Map<String, Object> producer = new HashMap<>(kafkaConfig);
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.CLIENT_ID_CONFIG, "ferry-gateway-" + config.gatewayId());
        producer.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        // a send that cannot reach Kafka fails within these, and the outbox sends it again: nothing waits forever
        producer.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        producer.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        producer.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
        return new KafkaProducer<>(producer, topics.podIntents().keySerde().serializer(),
                topics.podIntents().valueSerde().serializer());
    }

    private Map<String, Object> withoutBootstrap() {
        Map<String, Object> rest = new HashMap<>(kafkaConfig);
        rest.remove(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
        return rest;
    }

    private String bootstrapServers() {
        return String.valueOf(kafkaConfig.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
    }

    void failed(Throwable e) {
        failure.complete(e);
    }

    /** Completes when a part of the gateway stopped for good (the caller should exit and be restarted). */
    public CompletableFuture<Throwable> failure() {
        return failure;
    }

    /** The port of the kubelet log endpoint (the one it got, when configured as 0). */
    public int kubeletPort() {
        return logServer.port();
    }

    /** The nodes this replica acts for right now. */
    public Set<String> leading() {
        return Set.copyOf(agents.keySet());
    }

    /** Whether the last check reached Kafka. */
    public boolean kafkaReachable() {
        return kafkaReachable;
    }

    /** Intents not yet acknowledged by Kafka. */
    public int intentBacklog() {
        return outbox == null ? 0 : outbox.backlog();
    }

    GatewayConfig config() {
        return running;
    }

    Topics topics() {
        return topics;
    }

    Map<String, Object> kafkaConfig() {
        return kafkaConfig;
    }

    KubernetesClient client() {
        return client;
    }

    Clock clock() {
        return clock;
    }

    PoolCapacity pools() {
        return pools;
    }

    void poolsChanged() {
        agents.values().forEach(agent -> agent.keeper().poolsChanged());
    }

    StatusWriter statusWriter() {
        return statusWriter;
    }

    ReferenceResolver resolver() {
        return resolver;
    }

    Optional<Sealer> sealer() {
        return running.sealer();
    }

    /**
     * The configured sealer, or, without one, a sealer under a random key nobody has: intents need one, but pods
     * that use Secrets fail before they get here when no key is configured, so it never seals anything.
     */
    Sealer sealerForIntents() {
        return sealerForIntents;
    }

    DecisionEvents decisionEvents(String node) {
        return decisionEvents.computeIfAbsent(node, n -> new DecisionEvents(client, n, clock));
    }

    IntentOutbox outbox() {
        return outbox;
    }

    DeadLetterPublisher deadLetters() {
        return deadLetters;
    }

    ExecutorService workers() {
        return workers;
    }

    /** Stops acting for every node (releasing the leases, so another replica takes over at once), then the rest. */
    @Override
    public void close() {
        leaderships.forEach(Gateway::closeQuietly);
        agents.values().forEach(Gateway::closeQuietly);
        agents.clear();
        scheduler.shutdownNow();
        workers.shutdownNow();
        closeQuietly(poolsFeed);
        closeQuietly(outbox);
        closeQuietly(logServer);
        closeQuietly(admin);
        closeQuietly(deadLetters);
        LOG.info("Gateway {} stopped", config.gatewayId());
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("Could not close {}: {}", closeable.getClass().getSimpleName(), e.toString());
        }
    }

    private static Sealer unusableSealer() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return new Sealer("none", key);
    }

    /** Daemon threads named {@code <prefix>1}, {@code <prefix>2}, ... */
    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
