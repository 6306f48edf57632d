package dev.ferry.loadtest.gateway;

import dev.ferry.devkit.apiserver.DevApiServer;
import dev.ferry.devkit.kafka.KafkaBrokerProcess;
import dev.ferry.devkit.process.Directories;
import dev.ferry.devkit.registry.ApicurioRegistry;
import dev.ferry.events.ContainerState;
import dev.ferry.events.ContainerStatus;
import dev.ferry.events.IntentOperation;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodRef;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.StatusSource;
import dev.ferry.gateway.Gateway;
import dev.ferry.gateway.GatewayConfig;
import dev.ferry.gateway.KubeClients;
import dev.ferry.loadtest.Bench;
import dev.ferry.schema.AvroModels;
import dev.ferry.schema.ConfigValues;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.Topic;
import dev.ferry.schema.TopicAdmin;
import dev.ferry.schema.Topics;
import dev.ferry.schema.TopicsConfig;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The gateway's latencies, with a real broker (child JVM), the real Apicurio registry, the development API server
 * (scheduler off: the pods are bound already) and the gateway in this JVM; every time is taken in this JVM, so no
 * clocks are compared. For each {@code --rate} (events per second; a comma-separated list runs one round each, after
 * an unreported warm-up round of {@code --warm-up} pods, default 200):
 * <ol>
 *   <li><b>pod created → CREATE intent</b>: {@code --pods} pods bound to the gateway's node are created at the rate;
 *       from {@code create()} returning to the intent arriving at a consumer of {@code pod-intents}.</li>
 *   <li><b>status propagation</b>: then, at the rate, a RUNNING event for every pod, then a SUCCEEDED one, produced
 *       as an executor does (idempotent, acks=all, linger 5 ms); from just before {@code send()} to a watch on the
 *       pods receiving the MODIFIED event that shows the phase and container state. The same events' arrival at a
 *       plain consumer of {@code pod-status} gives the Kafka share of it.</li>
 * </ol>
 * Then, as a reference, what the gateway does per status event done by hand: GET the pod, PUT its status, one after
 * another. Last, {@link EndToEnd} ({@code --e2e-pods}, 0 to skip): {@code ferry dev} with its local site.
 * Usage, from the repository root:
 * <pre>
 * mvn -B -o -q -pl load-tests compile dependency:build-classpath -Dmdep.outputFile=/tmp/lt-bench.cp &amp;&amp; \
 *   java -Xmx1g -cp load-tests/target/classes:$(cat /tmp/lt-bench.cp) dev.ferry.loadtest.gateway.GatewayBenchmark \
 *   --pods 500 --rate 50 --e2e-pods 20 --e2e-rate 5
 * </pre>
 */
public final class GatewayBenchmark {

    static final String NAMESPACE = "default";
    private static final String NODE = "bench-node";
    private static final Duration WAIT = Duration.ofMinutes(2);

    private GatewayBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Bench.quietLogs();
        int pods = Bench.intArg(args, "--pods", 500);
        int warmUp = Bench.intArg(args, "--warm-up", 200);
        List<Integer> rates = Bench.intListArg(args, "--rate", "50");
        int e2ePods = Bench.intArg(args, "--e2e-pods", 20);
        int e2eRate = Bench.intArg(args, "--e2e-rate", 5);
        String command = String.format(Locale.ROOT, "--pods %d --warm-up %d --rate %s --e2e-pods %d --e2e-rate %d", pods,
                warmUp, rates.stream().map(String::valueOf).collect(Collectors.joining(",")), e2ePods, e2eRate);
        System.out.printf(Locale.ROOT, "gateway benchmark (%s); %d cores; load before: %s%n", command,
                Runtime.getRuntime().availableProcessors(), Bench.load());
        List<String> rows = new ArrayList<>(gateway(pods, warmUp, rates));
        if (e2ePods > 0) {
            try {
                rows.addAll(EndToEnd.measure(e2ePods, e2eRate));
            } catch (Exception | LinkageError e) {
                System.out.println("the end-to-end part failed, the table has the rest: " + e);
            }
        }
        System.out.printf("%n| measurement | offered | n | p50 ms | p90 ms | p99 ms | max ms |%n|---|---|---|---|---|---|---|%n");
        rows.forEach(System.out::println);
        System.out.println("\ntarget: status propagation p99 < 100 ms (interLink polls every 5 s, its Slurm plugin every 10 s)");
        System.out.println("reproduce (repository root): mvn -B -o -q -pl load-tests compile dependency:build-classpath "
                + "-Dmdep.outputFile=/tmp/lt-bench.cp && java -Xmx1g -cp load-tests/target/classes:$(cat /tmp/lt-bench.cp) "
                + GatewayBenchmark.class.getName() + " " + command);
        System.exit(0);
    }

    /**
     * Measurements 1 and 2 at each rate, after a warm-up round of {@code warmUp} pods at the first rate that is not
     * reported (a JVM that ran only a few dozen pods is still compiling, and would report that), then
     * the API server's own cost of what the gateway does per status event: the table's rows.
     */
    private static List<String> gateway(int n, int warmUp, List<Integer> rates) throws Exception {
        AvroModels.registerLogicalTypes();
        Path dir = Files.createTempDirectory("ferry-bench-gateway-");
        try (KafkaBrokerProcess kafka = KafkaBrokerProcess.start(Files.createDirectories(dir.resolve("kafka")));
             ApicurioRegistry registry = ApicurioRegistry.builder().jvmOptions(List.of("-Xmx384m", "-XX:+UseSerialGC")).start();
             DevApiServer api = DevApiServer.builder().scheduler(false).build().start()) {
            String bootstrap = kafka.bootstrapServers();
            Topics topics = new Topics(TopicsConfig.defaults(), new EventSerdes(SerdeConfig.forRegistry(registry.baseUrl())));
            try (TopicAdmin admin = TopicAdmin.connect(bootstrap, Duration.ofSeconds(30), Map.of())) {
                admin.apply(topics.all(List.of("site-a")));
            }
            Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
            GatewayConfig config = GatewayConfig.from(ConfigValues.of(Map.of(GatewayConfig.NODES, NODE,
                    GatewayConfig.KUBELET_PORT, "0", GatewayConfig.KUBELET_BIND, "127.0.0.1")));
            try (KubernetesClient gatewayClient = KubeClients.create(kubeconfig);
                 Gateway gateway = Gateway.start(config, topics, Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                         gatewayClient, Clock.systemUTC());
                 KubernetesClient client = KubeClients.create(kubeconfig);
                 PodWatch watch = new PodWatch(client, NAMESPACE);
                 TopicReader reader = new TopicReader(bootstrap, topics);
                 KafkaProducer<String, PodStatusEvent> producer = new KafkaProducer<>(Map.of(
                         ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                         ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 5),
                         topics.podStatus().keySerde().serializer(), topics.podStatus().valueSerde().serializer())) {
                awaitUntil(() -> gateway.leading().contains(NODE) && nodeReady(client), "node " + NODE + " Ready");
                Round round = new Round(gateway, client, watch, reader, producer, topics.podStatus());
                round.run("warm-", warmUp, rates.get(0));
                List<String> rows = new ArrayList<>();
                for (int rate : rates) {
                    rows.addAll(round.run("r" + rate + "-", n, rate));
                }
                rows.add(readWrite(client, "r" + rates.get(0) + "-", Math.min(n, 200)));
                return rows;
            }
        } finally {
            Directories.deleteRecursively(dir);
        }
    }

    /** What one status event costs the gateway at the API server: a GET of the pod and a PUT of its status, in turn. */
    private static String readWrite(KubernetesClient client, String prefix, int n) {
        Histogram h = new Histogram(3);
        for (int i = 0; i < n; i++) {
            long start = PodWatch.now();
            Pod pod = client.pods().inNamespace(NAMESPACE).withName(prefix + i).get();
            pod.getStatus().setMessage("read and written again by the benchmark");
            client.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
            h.recordValue(PodWatch.now() - start);
        }
        return row("reference: GET pod + PUT its status, one after another", "as fast as it goes", h, n);
    }

    /** One round: {@code n} pods created at {@code rate}/s, then their RUNNING and SUCCEEDED events at {@code rate}/s. */
    private record Round(Gateway gateway, KubernetesClient client, PodWatch watch, TopicReader reader,
                         KafkaProducer<String, PodStatusEvent> producer, Topic<String, PodStatusEvent> statusTopic) {

        List<String> run(String prefix, int n, int rate) throws Exception {
            // 2: pod created -> CREATE intent
            List<Pod> pods = new ArrayList<>();
            Map<String, Long> created = new ConcurrentHashMap<>();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                pace(start, i, rate);
                Pod pod = client.pods().resource(pod(prefix + i)).create();
                created.put(pod.getMetadata().getUid(), PodWatch.now());
                pods.add(pod);
            }
            awaitUntil(() -> created.keySet().stream().allMatch(reader.intents::containsKey), n + " CREATE intents");
            String loadCreating = Bench.load();
            awaitUntil(() -> gateway.intentBacklog() == 0, "the gateway's outbox to empty");
            Thread.sleep(1000); // the gateway's condition writes after each intent are done

            // 1: status sent -> seen in the API
            Map<String, Long> sentRunning = new ConcurrentHashMap<>();
            Map<String, Long> sentSucceeded = new ConcurrentHashMap<>();
            start = System.nanoTime();
            for (int pass = 0; pass < 2; pass++) {
                PodPhase phase = pass == 0 ? PodPhase.RUNNING : PodPhase.SUCCEEDED;
                for (int i = 0; i < n; i++) {
                    Pod pod = pods.get(i);
                    String uid = pod.getMetadata().getUid();
                    PodStatusEvent event = status(uid, pod.getMetadata().getName(), phase, pass + 1);
                    pace(start, (long) pass * n + i, rate);
                    (pass == 0 ? sentRunning : sentSucceeded).put(uid, PodWatch.now());
                    producer.send(new ProducerRecord<>(statusTopic.name(), uid, event));
                }
            }
            awaitUntil(() -> sentSucceeded.keySet().stream().allMatch(watch.succeeded::containsKey), n + " pods Succeeded");
            System.out.printf(Locale.ROOT, "%s%d pods: load after creating them %s, after their status events %s%n", prefix,
                    n, loadCreating, Bench.load());

            Histogram toRunning = between(sentRunning, watch.running);
            Histogram toSucceeded = between(sentSucceeded, watch.succeeded);
            Histogram both = new Histogram(3);
            both.add(toRunning);
            both.add(toSucceeded);
            Histogram kafkaOnly = between(sentRunning, reader.running);
            kafkaOnly.add(between(sentSucceeded, reader.succeeded));
            String offered = rate + "/s";
            return List.of(
                    row("pod created → CREATE intent on pod-intents", offered, between(created, reader.intents), n),
                    row("status sent → on pod-status (Kafka alone)", offered, kafkaOnly, 2 * n),
                    row("status sent → pod Running in the API (watch)", offered, toRunning, n),
                    row("status sent → pod Succeeded in the API (watch)", offered, toSucceeded, n),
                    row("status sent → pod status in the API, both", offered, both, 2 * n));
        }
    }

    /** A pod bound to the node (the scheduler is not in the path), tolerating its taint. */
    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().withNodeName(NODE).withRestartPolicy("Never")
                .addNewToleration().withKey("virtual-node.ferry.dev/no-schedule").withOperator("Exists")
                .withEffect("NoSchedule").endToleration()
                .addNewContainer().withName("main").withImage("busybox:1.36").withCommand("sleep", "60")
                .endContainer().endSpec().build();
    }

    /** What an executor publishes: RUNNING (sequence 1), then SUCCEEDED with exit code 0 (sequence 2). */
    private static PodStatusEvent status(String uid, String name, PodPhase phase, long sequence) {
        boolean done = phase == PodPhase.SUCCEEDED;
        return PodStatusEvent.newBuilder()
                .setPod(PodRef.newBuilder().setUid(uid).setNamespace(NAMESPACE).setName(name).build())
                .setPhase(phase).setSource(StatusSource.EXECUTOR).setSequence(sequence).setSite("site-a")
                .setObservedAt(Instant.now())
                .setContainers(List.of(ContainerStatus.newBuilder().setName("main")
                        .setState(done ? ContainerState.TERMINATED : ContainerState.RUNNING)
                        .setExitCode(done ? 0 : null).build()))
                .build();
    }

    /** The i-th of a series offered at {@code rate} per second waits for its slot; a late one goes at once. */
    static void pace(long startNanos, long i, int rate) {
        long target = startNanos + (long) (i * 1e9 / rate);
        long now;
        while ((now = System.nanoTime()) < target) {
            LockSupport.parkNanos(Math.min(target - now, 200_000));
        }
    }

    /** {@code to - from} per key present in both, in microseconds. */
    static Histogram between(Map<String, Long> from, Map<String, Long> to) {
        Histogram h = new Histogram(3);
        from.forEach((key, at) -> {
            Long then = to.get(key);
            if (then != null) {
                h.recordValue(Math.max(0, then - at));
            }
        });
        return h;
    }

    /** A table row in milliseconds; says how many of {@code expected} samples are missing. */
    static String row(String what, String offered, Histogram micros, int expected) {
        long missing = expected - micros.getTotalCount();
        return String.format(Locale.ROOT, "| %s%s | %s | %d | %.1f | %.1f | %.1f | %.1f |", what,
                missing > 0 ? " (" + missing + " not seen)" : "", offered, micros.getTotalCount(),
                micros.getValueAtPercentile(50) / 1e3, micros.getValueAtPercentile(90) / 1e3,
                micros.getValueAtPercentile(99) / 1e3, micros.getMaxValue() / 1e3);
    }

    /** Waits (2 min at most) for {@code condition}; false, saying so, when it did not come: the table shows what is missing. */
    static boolean awaitUntil(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                System.out.printf("gave up waiting for %s after %d s%n", what, WAIT.toSeconds());
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static boolean nodeReady(KubernetesClient client) {
        var node = client.nodes().withName(NODE).get();
        return node != null && node.getStatus() != null && node.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** A consumer of {@code pod-intents} and {@code pod-status}: when each pod's CREATE, RUNNING, SUCCEEDED arrived. */
    private static final class TopicReader implements AutoCloseable {

        final Map<String, Long> intents = new ConcurrentHashMap<>();
        final Map<String, Long> running = new ConcurrentHashMap<>();
        final Map<String, Long> succeeded = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean stop;

        TopicReader(String bootstrap, Topics topics) {
            Topic<String, PodIntent> intentTopic = topics.podIntents();
            Topic<String, PodStatusEvent> statusTopic = topics.podStatus();
            thread = new Thread(() -> {
                try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
                    consumer.subscribe(List.of(intentTopic.name(), statusTopic.name()));
                    while (!stop) {
                        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                            long at = PodWatch.now();
                            if (r.topic().equals(intentTopic.name())) {
                                PodIntent intent = intentTopic.valueSerde().deserializer().deserialize(r.topic(), r.value());
                                if (intent.getOperation() == IntentOperation.CREATE) {
                                    intents.putIfAbsent(intent.getPod().getUid(), at);
                                }
                            } else {
                                PodStatusEvent e = statusTopic.valueSerde().deserializer().deserialize(r.topic(), r.value());
                                (e.getPhase() == PodPhase.RUNNING ? running : succeeded).putIfAbsent(e.getPod().getUid(), at);
                            }
                        }
                    }
                }
            }, "bench-topic-reader");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(5_000);
        }
    }
}
