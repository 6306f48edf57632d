package dev.ferry.loadtest.router;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.ferry.devkit.kafka.EmbeddedKafkaBroker;
import dev.ferry.devkit.kafka.ExternalKafkaBroker;
import dev.ferry.devkit.kafka.KafkaBroker;
import dev.ferry.devkit.process.Directories;
import dev.ferry.devkit.registry.ApicurioRegistry;
import dev.ferry.events.Backend;
import dev.ferry.events.Container;
import dev.ferry.events.EnvVar;
import dev.ferry.events.IntentOperation;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodRef;
import dev.ferry.events.PodSpecSnapshot;
import dev.ferry.events.PoolAdvert;
import dev.ferry.events.PoolState;
import dev.ferry.events.RestartPolicy;
import dev.ferry.router.RouterApp;
import dev.ferry.router.RouterConfig;
import dev.ferry.router.RouterTopics;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.Topic;
import dev.ferry.schema.TopicAdmin;
import dev.ferry.schema.Topics;
import dev.ferry.schema.TopicsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.LoggerFactory;

/**
 * The router's throughput and decision latency on a real broker, beside the raw Kafka round trip on the same broker
 * in the same run, as the ceiling.
 *
 * <ul>
 *   <li><b>Raw Kafka</b>: records the size of a pod intent, produced (idempotent, acks=all) to a topic and read by a
 *       {@code read_committed} consumer: the most records per second one producer and one consumer move, and the
 *       send → visible latency at each offered rate.</li>
 *   <li><b>Router</b> (exactly_once_v2): pools large enough that nothing queues; intents produced as fast as
 *       possible (sustained throughput: RUN commands per second seen by a {@code read_committed} consumer of
 *       {@code jobs.<site>}), then at each fixed offered rate: the time from the producer's {@code send()} of an
 *       intent to its RUN command being visible to that consumer (HdrHistogram), per commit interval. Each router
 *       is warmed up first ({@code --warm-up}): the JIT compiler's work would otherwise be most of what is
 *       measured.</li>
 *   <li><b>ShapeTwin</b>: the router's topology passing bytes on without deciding anything, the same records per
 *       intent: what the hops, transactions and changelogs alone allow.</li>
 * </ul>
 * Each paced run also prints what explains its numbers: the machine's CPU (and what the hypervisor stole), this JVM's
 * CPU per thread group ({@link ThreadCpu}: stream threads, broker, JIT, GC, generator), the broker's requests per
 * second ({@link BrokerRequests}), the router's backlog per input topic each second ({@link Backlog}), and the slowest
 * RUN of each second (a steady run, or stalls?).
 * Everything (broker, router, load generator, consumers) shares this machine; the schema registry is a child
 * process. {@code KAFKA_BOOTSTRAP_SERVERS} and {@code FERRY_REGISTRY_URL} point it at external ones instead.
 *
 * <pre>
 *   mvn -B -o -q install -DskipTests
 *   mvn -B -o -q -pl load-tests compile dependency:build-classpath -Dmdep.outputFile=/tmp/lt.cp
 *   java -Xmx2g -cp load-tests/target/classes:$(cat /tmp/lt.cp) dev.ferry.loadtest.router.RouterBenchmark \
 *       --rates=1000,10000 --seconds=20 --burst=150000 --warm-up=120 --commit-intervals=50,100
 * </pre>
 */
public final class RouterBenchmark {

    private final Options options;
    private final KafkaBroker kafka;
    private final String registryUrl;
    private final Path data;
    private final List<String> lines = new ArrayList<>();

    private RouterBenchmark(Options options, KafkaBroker kafka, String registryUrl, Path data) {
        this.data = data;
        this.options = options;
        this.kafka = kafka;
        this.registryUrl = registryUrl;
    }

    /**
     * Options.
     *
     * @param rates           offered rates (intents or records per second) for the latency runs
     * @param seconds         how long each latency run offers load (the first fifth is warm-up, not recorded)
     * @param commitIntervals commit intervals (ms) to measure the router with, each with the burst and every rate;
     *                        the first is also ShapeTwin's
     * @param burst           intents in the sustained-throughput burst
     * @param warmUpSeconds   how long to warm up before the measured runs (raw Kafka with bursts; the first router with
     *                        bursts and paced runs at every offered rate), so the JIT has compiled the hot paths: on 2
     *                        cores C2 takes about 40 % of the CPU in the first minute and 0.1 – 0.4 of a core in the
     *                        second
     * @param twin            also measure {@link ShapeTwin}, the router's topology passing bytes on
     * @param partitions      partitions of every topic
     * @param threads         router stream threads
     * @param settings        more router settings ({@code --set.ferry.router.streams.x=y})
     */
    record Options(List<Integer> rates, int seconds, List<Integer> commitIntervals, int burst, int warmUpSeconds,
                   boolean twin, int partitions, int threads,
                   Map<String, String> settings) {
        static Options parse(String[] args) {
            Map<String, String> map = new LinkedHashMap<>();
            for (String arg : args) {
                if (!arg.startsWith("--") || !arg.contains("=")) {
                    throw new IllegalArgumentException("arguments are --name=value, got '" + arg + "'");
                }
                map.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            }
            Map<String, String> settings = new LinkedHashMap<>();
            map.entrySet().removeIf(e -> {
                if (e.getKey().startsWith("set.")) {
                    settings.put(e.getKey().substring(4), e.getValue());
                    return true;
                }
                return false;
            });
            Options options = new Options(ints(map.remove("rates"), "1000,5000,10000"),
                    Integer.parseInt(map.getOrDefault("seconds", "20")),
                    ints(map.remove("commit-intervals"), "50,100,20"),
                    Integer.parseInt(map.getOrDefault("burst", "100000")),
                    Integer.parseInt(map.getOrDefault("warm-up", "120")),
                    Boolean.parseBoolean(map.getOrDefault("twin", "true")),
                    Integer.parseInt(map.getOrDefault("partitions", "6")),
                    Integer.parseInt(map.getOrDefault("threads", Integer.toString(RouterConfig.DEFAULT_THREADS))), settings);
            map.keySet().removeAll(List.of("seconds", "burst", "warm-up", "twin", "partitions", "threads"));
            if (!map.isEmpty()) {
                throw new IllegalArgumentException("unknown options " + map.keySet()
                        + "; known: rates, seconds, commit-intervals, burst, warm-up, twin, partitions, threads, set.<ferry.router.key>");
            }
            return options;
        }

        private static List<Integer> ints(String value, String fallback) {
            return java.util.Arrays.stream((value == null ? fallback : value).split(",")).map(String::trim)
                    .map(Integer::parseInt).toList();
        }
    }

    public static void main(String[] args) throws Exception {
        quietLogging();
        Options options = Options.parse(args);
        String load = loadAverage();
        long began = System.nanoTime();
        String externalKafka = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        String externalRegistry = System.getenv("FERRY_REGISTRY_URL");
        Path data = Files.createTempDirectory("ferry-router-bench-");
        try (KafkaBroker kafka = externalKafka != null && !externalKafka.isBlank()
                ? new ExternalKafkaBroker(externalKafka) : EmbeddedKafkaBroker.start(data.resolve("kafka"));
             ApicurioRegistry registry = externalRegistry != null && !externalRegistry.isBlank() ? null
                     : ApicurioRegistry.builder().jvmOptions(List.of("-Xmx384m", "-XX:+UseSerialGC")).start()) {
            String registryUrl = registry != null ? registry.baseUrl() : externalRegistry;
            System.out.printf("Kafka: %s; registry: %s; load average before: %s; %d cores; %s%n", kafka.describe(),
                    registryUrl, load, Runtime.getRuntime().availableProcessors(), options);
            new RouterBenchmark(options, kafka, registryUrl, data).run();
        } finally {
            // the broker's logs and the routers' stores: gigabytes after a few runs at 10,000 intents/s
            Directories.deleteRecursively(data);
        }
        System.out.printf("%nload average after: %s; took %d s%n", loadAverage(),
                Duration.ofNanos(System.nanoTime() - began).toSeconds());
        System.exit(0);
    }

    private void run() throws Exception {
        Topics first = topics();
        Topic<String, byte[]> raw = new Topic<>(first.config().prefix() + "raw", org.apache.kafka.common.serialization.Serdes.String(),
                org.apache.kafka.common.serialization.Serdes.ByteArray(), options.partitions(),
                first.config().replicationFactor(), dev.ferry.schema.CleanupPolicy.DELETE, java.util.Optional.of(Duration.ofHours(1)));
        try (TopicAdmin admin = TopicAdmin.connect(kafka.bootstrapServers(), Duration.ofSeconds(30), Map.of())) {
            admin.apply(List.of(raw));
        }
        byte[] sample = first.podIntents().valueSerde().serializer().serialize(first.podIntents().name(), intent("sample"));
        System.out.printf("intent size on the wire: %d bytes%n", sample.length);

        // ---- the ceiling: raw Kafka on the same broker
        RawKafka rawKafka = new RawKafka(kafka.bootstrapServers(), raw.name(), sample);
        for (long end = System.nanoTime() + Duration.ofSeconds(options.warmUpSeconds()).toNanos(); System.nanoTime() < end; ) {
            rawKafka.burst(Math.min(50_000, options.burst())); // warm-up, not reported
        }
        CpuUse rawCpu = CpuUse.start();
        Result rawBurst = rawKafka.burst(options.burst());
        lines.add("  machine CPU during the raw burst: " + rawCpu.busy());
        row("raw Kafka, produce → read_committed consume", "burst " + options.burst(), rawBurst);
        Map<Integer, Result> rawLatency = new LinkedHashMap<>();
        for (int rate : options.rates()) {
            rawLatency.put(rate, rawKafka.paced(rate, options.seconds()));
            row("raw Kafka, produce → read_committed consume", rate + "/s", rawLatency.get(rate));
        }

        // ---- the router: a fresh set of topics per commit interval, so no run reads another's backlog
        for (int i = 0; i < options.commitIntervals().size(); i++) {
            int commitMs = options.commitIntervals().get(i);
            Topics topics = i == 0 ? first : topics();
            String applicationId = "bench-router-" + commitMs + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            Map<String, String> settings = new LinkedHashMap<>(options.settings());
            settings.put(RouterConfig.APPLICATION_ID, applicationId);
            settings.put(RouterConfig.COMMIT_INTERVAL, commitMs + "ms");
            settings.put(RouterConfig.THREADS, Integer.toString(options.threads()));
            settings.put(RouterConfig.STATE_DIR, Files.createTempDirectory(data, "state-").toString());
            RouterConfig config = RouterConfig.fromMap(settings);
            String path = "router (EOS), intent → RUN, commit " + commitMs + " ms";
            try (RouterApp router = RouterApp.start(config, topics, kafka.bootstrapServers(), Duration.ofSeconds(30));
                 RouterLoad load = new RouterLoad(kafka.bootstrapServers(), topics, i)) {
                awaitRunning(router);
                load.advertisePools();
                load.awaitFirstRun(RouterBenchmark::intent);
                // the first router warms the JIT up; later ones (same JVM) only their own stores and connections
                int warmUp = i == 0 ? options.warmUpSeconds() : Math.min(10, options.warmUpSeconds());
                long warmUpEnd = System.nanoTime() + Duration.ofSeconds(warmUp).toNanos();
                // bursts and paced runs take different paths through the clients and the broker (big polls, small
                // ones): warm both up, or the JIT recompiles what the paced runs meet first while they are measured
                do {
                    load.burst(Math.min(20_000, options.burst()), RouterBenchmark::intent); // warm-up, not reported
                    for (int rate : options.rates()) {
                        load.paced(rate, 3, RouterBenchmark::intent);
                    }
                } while (System.nanoTime() < warmUpEnd);
                long cpu = streamThreadCpuNanos();
                CpuUse machine = CpuUse.start();
                ThreadCpu threads = ThreadCpu.start();
                Result burst = load.burst(options.burst(), RouterBenchmark::intent);
                row(path, "burst " + options.burst(), burst);
                System.out.println("  stream thread: " + threadMetrics(router));
                System.out.println("  CPU: " + threads.report());
                lines.add(String.format(Locale.ROOT, "  commit %d ms: sustained throughput (burst, first send to last "
                                + "delivery) %.0f intents/s vs raw %.0f records/s: ratio %.3f; stream threads' CPU per "
                                + "intent %.0f µs; machine CPU %s", commitMs, burst.throughput(), rawBurst.throughput(),
                        burst.throughput() / rawBurst.throughput(),
                        (streamThreadCpuNanos() - cpu) / 1e3 / options.burst(), machine.busy()));
                for (int rate : options.rates()) {
                    CpuUse pacedMachine = CpuUse.start();
                    ThreadCpu pacedThreads = ThreadCpu.start();
                    BrokerRequests requests = BrokerRequests.start();
                    System.out.printf("  %d/s from %s%n", rate, LocalTime.now().withNano(0));
                    Result result;
                    Map<String, String> inputs = Map.of("pod-intents", topics.podIntents().name(),
                            "pool-inbox", RouterTopics.of(config, topics).poolInbox().name());
                    try (Backlog backlog = new Backlog(kafka.bootstrapServers(), applicationId, inputs, options.partitions())) {
                        RouterLoad.Paced paced = load.paced(rate, options.seconds(), RouterBenchmark::intent);
                        result = paced.result();
                        System.out.printf(Locale.ROOT, "  generator: the most delayed send left %.1f ms after its slot%n",
                                paced.mostDelayedSendMs());
                        System.out.println("  backlog each second: " + backlog.report());
                        System.out.println("  slowest RUN (ms) of the intents sent in each second: " + paced.slowestPerSecond());
                    }
                    row(path, rate + "/s", result);
                    System.out.println("  stream thread: " + threadMetrics(router));
                    System.out.println("  CPU: machine " + pacedMachine.busy() + "; " + pacedThreads.report());
                    System.out.println("  broker requests: " + requests.report());
                    Result ceiling = rawLatency.get(rate);
                    lines.add(String.format(Locale.ROOT, "  commit %d ms at %d/s: router p99 %.1f ms vs raw p99 %.1f ms",
                            commitMs, rate, result.p99Ms(), ceiling.p99Ms()));
                }
            }
        }
        if (options.twin()) {
            shapeTwin(rawBurst);
        }
        System.out.println();
        System.out.println("| path | offered | delivered/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | samples |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        lines.stream().filter(l -> l.startsWith("|")).forEach(System.out::println);
        lines.stream().filter(l -> !l.startsWith("|")).forEach(System.out::println);
    }

    /**
     * The router's shape without its decisions ({@link ShapeTwin}), on a fresh set of topics, with the first commit
     * interval: the ceiling of the topology on this machine. Runs after the routers, so the JIT is warm.
     */
    private void shapeTwin(Result rawBurst) throws Exception {
        int commitMs = options.commitIntervals().get(0);
        Topics topics = topics();
        Topic<String, byte[]> inbox = new Topic<>(topics.config().prefix() + "twin-inbox",
                org.apache.kafka.common.serialization.Serdes.String(), org.apache.kafka.common.serialization.Serdes.ByteArray(),
                options.partitions(), topics.config().replicationFactor(), dev.ferry.schema.CleanupPolicy.DELETE,
                java.util.Optional.of(Duration.ofHours(1)));
        try (TopicAdmin admin = TopicAdmin.connect(kafka.bootstrapServers(), Duration.ofSeconds(30), Map.of())) {
            admin.apply(List.of(inbox));
        }
        // Kafka Streams gives up on a source topic its first metadata does not show: wait until the broker lists it
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!admin.listTopics().names().get().contains(inbox.name()) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            admin.describeTopics(List.of(inbox.name())).allTopicNames().get();
        }
        Map<String, String> settings = new LinkedHashMap<>(options.settings());
        settings.put(RouterConfig.APPLICATION_ID, "bench-twin-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        settings.put(RouterConfig.COMMIT_INTERVAL, commitMs + "ms");
        settings.put(RouterConfig.THREADS, Integer.toString(options.threads()));
        settings.put(RouterConfig.STATE_DIR, Files.createTempDirectory(data, "twin-state-").toString());
        RouterConfig config = RouterConfig.fromMap(settings);
        String path = "router's shape, bytes only (ShapeTwin), commit " + commitMs + " ms";
        try (ShapeTwin twin = ShapeTwin.start(config, topics, kafka.bootstrapServers(), inbox.name());
             RouterLoad load = new RouterLoad(kafka.bootstrapServers(), topics, 99)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!twin.running() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            load.awaitFirstRun(RouterBenchmark::intent);
            long warmUpEnd = System.nanoTime() + Duration.ofSeconds(Math.min(10, options.warmUpSeconds())).toNanos();
            do {
                load.burst(Math.min(20_000, options.burst()), RouterBenchmark::intent);
            } while (System.nanoTime() < warmUpEnd);
            long cpu = streamThreadCpuNanos();
            CpuUse machine = CpuUse.start();
            Result burst = load.burst(options.burst(), RouterBenchmark::intent);
            row(path, "burst " + options.burst(), burst);
            lines.add(String.format(Locale.ROOT, "  the router's shape without the router, commit %d ms: %.0f intents/s "
                            + "(raw Kafka ratio %.3f); stream threads' CPU per intent %.0f µs; machine CPU %s", commitMs,
                    burst.throughput(), burst.throughput() / rawBurst.throughput(),
                    (streamThreadCpuNanos() - cpu) / 1e3 / options.burst(), machine.busy()));
            Result paced = load.paced(options.rates().get(0), options.seconds(), RouterBenchmark::intent).result();
            row(path, options.rates().get(0) + "/s", paced);
        }
    }

    /** Ferry's topics under a fresh prefix, created. */
    private Topics topics() {
        String prefix = "bench-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + ".";
        Topics topics = new Topics(TopicsConfig.fromMap(Map.of(TopicsConfig.PREFIX, prefix,
                TopicsConfig.PARTITIONS, Integer.toString(options.partitions()))),
                new EventSerdes(SerdeConfig.forRegistry(registryUrl)));
        try (TopicAdmin admin = TopicAdmin.connect(kafka.bootstrapServers(), Duration.ofSeconds(30), Map.of())) {
            admin.apply(topics.all(List.of("site-a", "site-b")));
        }
        return topics;
    }

    private void row(String path, String offered, Result r) {
        String line = String.format(Locale.ROOT, "| %s | %s | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %d |", path, offered,
                r.throughput(), r.p50Ms(), r.p90Ms(), r.p99Ms(), r.p999Ms(), r.maxMs(), r.samples());
        lines.add(line);
        System.out.println(line);
    }

    /** CPU time used so far by the router's stream threads (all of them: they live in this JVM). */
    private static long streamThreadCpuNanos() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long total = 0;
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().contains("StreamThread") && !info.getThreadName().contains("Global")) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    /** Kafka Streams' own view of the stream thread: what it processes and where its time goes. */
    private static String threadMetrics(RouterApp router) {
        Map<String, Double> values = new java.util.TreeMap<>();
        router.streams().metrics().forEach((name, metric) -> {
            if (name.group().equals("stream-thread-metrics") && List.of("process-rate", "process-records-avg",
                    "commit-rate", "commit-latency-avg", "poll-latency-avg", "poll-records-avg", "punctuate-latency-avg",
                    "process-ratio", "commit-ratio", "poll-ratio", "punctuate-ratio", "blocked-time-ns-total")
                    .contains(name.name()) && metric.metricValue() instanceof Number n) {
                values.merge(name.name(), n.doubleValue(), Double::sum);
            }
        });
        StringBuilder out = new StringBuilder();
        values.forEach((k, v) -> out.append(k).append('=').append(String.format(Locale.ROOT, "%.2f", v)).append(' '));
        return out.toString().trim();
    }

    private static void awaitRunning(RouterApp router) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!router.ready()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the router did not reach RUNNING within 90 s: " + router.state());
            }
            Thread.sleep(50);
        }
    }

    /** A realistic pod: one container with requests and limits, a few env vars, labels and annotations. */
    static PodIntent intent(String uid) {
        Container main = Container.newBuilder()
                .setName("main")
                .setImage("registry.example.org/ml/train:2.1")
                .setCommand(List.of("python", "-m", "train"))
                .setArgs(List.of("--epochs", "10", "--data", "/data/set-a"))
                .setEnv(List.of(env("MODE", "fast"), env("OMP_NUM_THREADS", "4"), env("RUN_ID", uid)))
                .setRequests(Map.of("cpu", "100m", "memory", "128Mi"))
                .setLimits(Map.of("cpu", "1", "memory", "512Mi"))
                .build();
        return PodIntent.newBuilder()
                .setIntentId(uid + "/CREATE/1")
                .setOperation(IntentOperation.CREATE)
                .setPod(PodRef.newBuilder().setNamespace("team-a").setName("train-" + uid).setUid(uid).build())
                .setGeneration(1)
                .setNodeName("ferry-virtual-node")
                .setLabels(Map.of("app", "train", "team", "a"))
                .setAnnotations(Map.of("slurm-job.vk.io/flags", "--partition=cpu"))
                .setSpec(PodSpecSnapshot.newBuilder()
                        .setContainers(List.of(main))
                        .setRestartPolicy(RestartPolicy.NEVER)
                        .setActiveDeadlineSeconds(3600L)
                        .build())
                .setCreatedAt(Instant.now())
                .build();
    }

    private static EnvVar env(String name, String value) {
        return EnvVar.newBuilder().setName(name).setValue(value).build();
    }

    static PoolAdvert pool(String poolId, String site) {
        return PoolAdvert.newBuilder()
                .setPoolId(poolId)
                .setSite(site)
                .setBackend(Backend.SLURM)
                .setLabels(Map.of("ferry.dev/site", site, "ferry.dev/pool", poolId, "ferry.dev/backend", "slurm"))
                .setCapacity(Map.of("cpu", "1000000000", "memory", "1Ei"))
                .setAllocatable(Map.of("cpu", "1000000000", "memory", "1Ei"))
                .setState(PoolState.READY)
                .setHeartbeatAt(Instant.now())
                .setHeartbeatTtlSeconds(86_400)
                .setMaxWalltimeSeconds(86_400L)
                .build();
    }

    static KafkaProducer<String, byte[]> rawProducer(String bootstrapServers) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5, // the client's default since Kafka 4.0
                ProducerConfig.BATCH_SIZE_CONFIG, 65_536),
                new StringSerializer(), new ByteArraySerializer());
    }

    static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value));
    }

    private static void quietLogging() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
        context.getLogger("dev.ferry").setLevel(Level.INFO);
        context.getLogger("dev.ferry.router.PodRouter").setLevel(Level.WARN);
        context.getLogger("dev.ferry.router.PoolKeeper").setLevel(Level.WARN);
    }

    /** The whole machine's CPU use between {@link #start} and {@link #busy}, from {@code /proc/stat}. */
    private record CpuUse(long[] before) {
        static CpuUse start() {
            return new CpuUse(ticks());
        }

        /** "84 % busy of 2 cores, 6 % stolen": stolen is CPU the hypervisor gave another guest (counted as busy). */
        String busy() {
            long[] now = ticks();
            long total = now[0] - before[0];
            long idle = now[1] - before[1];
            long steal = now[2] - before[2];
            return total <= 0 ? "unknown" : String.format(Locale.ROOT, "%.0f %% busy of %d cores, %.0f %% stolen",
                    100.0 * (total - idle) / total, Runtime.getRuntime().availableProcessors(), 100.0 * steal / total);
        }

        /**
         * Total, idle (idle + iowait) and steal jiffies of all CPUs: the first eight counters of {@code /proc/stat}'s
         * cpu line (the guest counters after them are already part of user and nice).
         */
        private static long[] ticks() {
            try {
                String[] f = Files.readAllLines(Paths.get("/proc/stat")).get(0).trim().split("\\s+");
                long total = 0;
                for (int i = 1; i <= 8 && i < f.length; i++) {
                    total += Long.parseLong(f[i]);
                }
                return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5]), f.length > 8 ? Long.parseLong(f[8]) : 0};
            } catch (IOException | RuntimeException e) {
                return new long[] {0, 0, 0};
            }
        }
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Paths.get("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
