package dev.ferry.loadtest.vm;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.ferry.devkit.kafka.EmbeddedKafkaBroker;
import dev.ferry.devkit.registry.ApicurioRegistry;
import dev.ferry.events.CommandType;
import dev.ferry.events.Container;
import dev.ferry.events.IntentOperation;
import dev.ferry.events.JobCommand;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodRef;
import dev.ferry.events.PodSpecSnapshot;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.RestartPolicy;
import dev.ferry.executor.Executor;
import dev.ferry.executor.config.SiteConfig;
import dev.ferry.executor.spi.JobHandle;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.JobRequest;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.PodJob;
import dev.ferry.executor.vm.VmBackend;
import dev.ferry.executor.vm.VmBackendFactory;
import dev.ferry.executor.vm.VmSettings;
import dev.ferry.executor.vm.provision.StaticProvisioner;
import dev.ferry.executor.vm.ssh.SshClient;
import dev.ferry.executor.vm.ssh.SshTarget;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.Topic;
import dev.ferry.schema.TopicAdmin;
import dev.ferry.schema.Topics;
import dev.ferry.schema.TopicsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.LoggerFactory;

/**
 * The executor with the VM backend against the real local sshd ({@code executors/vm/scripts/local-vm.sh start};
 * reads {@code $FERRY_VM_DIR/env}, default {@code /tmp/ferry-vm/env}), pods with the {@code host} runtime.
 * Three measurements:
 * <ol>
 *   <li><b>Submissions per second</b>: {@link VmBackend#submit} back to back (render the wrapper, one SSH round trip
 *       that writes the job directory and starts the wrapper detached and waits for its PID file), pods that run
 *       {@code true}.</li>
 *   <li><b>Status queries per poll cycle</b> with 1, 100 and 1,000 jobs on one host: SSH round trips per
 *       {@link VmBackend#poll} (one status script for all the host's jobs) and how long it takes; also
 *       {@link VmBackend#listOwned}. The jobs have finished (a running job costs the same: its files plus one
 *       {@code /proc/PID/stat} read).</li>
 *   <li><b>State change → event</b>: the full executor ({@code ferry executor} wiring: Kafka, registry, the
 *       runtime with its default 1 s poll interval) runs pods that sleep 2 s; per pod, the time from the moment its
 *       container started (resp. ended), as the wrapper recorded it in milliseconds, to the {@code PodStatusEvent}
 *       RUNNING (resp. SUCCEEDED) on the topic (the record's timestamp).</li>
 * </ol>
 * Usage: {@code VmBenchmark [--submits N] [--pods N] [--tracked 1,100,1000]}.
 */
public final class VmBenchmark {

    private static final String WORK = ".ferry-bench/jobs";

    private VmBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        quietLogs();
        int submits = intArg(args, "--submits", 200);
        int pods = intArg(args, "--pods", 32);
        List<Integer> tracked = new ArrayList<>();
        for (String n : stringArg(args, "--tracked", "1,100,1000").split(",")) {
            tracked.add(Integer.parseInt(n.strip()));
        }
        Map<String, String> vm = localVm();
        VmSettings settings = settings(vm);
        try (SshClient ssh = new SshClient(VmBackendFactory.sshSettings(settings))) {
            SshTarget target = new SshTarget("local", vm.get("FERRY_VM_HOST"), Integer.parseInt(vm.get("FERRY_VM_PORT")), vm.get("FERRY_VM_USER"));
            String about = ssh.exec(target, "uname -sr; ssh -V 2>&1 | head -1", new byte[0], Duration.ofSeconds(10)).stdoutText();
            System.out.printf(Locale.ROOT, "VM: %s@%s:%s (%s), %d cores, load %s%n", target.user(), target.address(), target.port(),
                    about.strip().replace('\n', ','), Runtime.getRuntime().availableProcessors(), load());
            try {
                submitRate(settings, ssh, submits);
                pollCost(settings, ssh, tracked);
            } finally {
                ssh.exec(target, "rm -rf .ferry-bench", new byte[0], Duration.ofMinutes(2));
            }
            latency(vm, ssh, target, pods);
            ssh.exec(target, "rm -rf .ferry-bench", new byte[0], Duration.ofMinutes(2));
        }
        System.out.printf(Locale.ROOT, "load at the end: %s%n", load());
    }

    // ------------------------------------------------------------------------------------------ 1: submissions

    static void submitRate(VmSettings settings, SshClient ssh, int n) throws Exception {
        String site = "bench-submit-" + UUID.randomUUID().toString().substring(0, 8);
        VmBackend backend = new VmBackend(site, settings, ssh, new StaticProvisioner(), Clock.systemUTC(), false);
        backend.discoverPools();
        List<JobHandle> handles = new ArrayList<>();
        long before = ssh.execCount("local");
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            handles.add(backend.submit(new JobRequest(identity(site), pod(List.of("true")))));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%nsubmissions: %d in %.1f s = %.1f/s (%.1f ms each; %.2f SSH round trips each)%n", n, seconds,
                n / seconds, seconds * 1000 / n, (ssh.execCount("local") - before) / (double) n);
        awaitFinished(backend, handles, Duration.ofMinutes(5));
    }

    // ------------------------------------------------------------------------------------------ 2: poll cost

    static void pollCost(VmSettings settings, SshClient ssh, List<Integer> sizes) throws Exception {
        String site = "bench-poll-" + UUID.randomUUID().toString().substring(0, 8);
        VmBackend backend = new VmBackend(site, settings, ssh, new StaticProvisioner(), Clock.systemUTC(), false);
        System.out.printf(Locale.ROOT, "%nstatus queries per poll (one host, finished jobs):%n%8s %14s %10s %16s %14s%n", "jobs",
                "round trips", "poll ms", "listOwned trips", "listOwned ms");
        List<JobHandle> jobs = new ArrayList<>();
        for (int size : sizes) {
            List<JobHandle> fresh = new ArrayList<>();
            while (jobs.size() < size) {
                JobHandle h = backend.submit(new JobRequest(identity(site), pod(List.of("true"))));
                jobs.add(h);
                fresh.add(h);
            }
            awaitFinished(backend, fresh, Duration.ofMinutes(5));
            List<JobHandle> tracked = jobs.subList(0, size);
            backend.poll(tracked); // warm
            int cycles = 5;
            long before = ssh.execCount("local");
            long start = System.nanoTime();
            for (int c = 0; c < cycles; c++) {
                Map<JobHandle, JobStatus> states = backend.poll(tracked);
                if (states.size() != size) {
                    throw new IllegalStateException("poll answered for " + states.size() + " of " + size + " jobs");
                }
            }
            double ms = (System.nanoTime() - start) / 1e6 / cycles;
            double trips = (ssh.execCount("local") - before) / (double) cycles;
            long listBefore = ssh.execCount("local");
            long listStart = System.nanoTime();
            int owned = backend.listOwned().size();
            double listMs = (System.nanoTime() - listStart) / 1e6;
            if (owned != jobs.size()) {
                throw new IllegalStateException("listOwned found " + owned + " of " + jobs.size() + " jobs");
            }
            System.out.printf(Locale.ROOT, "%8d %14.1f %10.1f %16d %14.1f%n", size, trips, ms, ssh.execCount("local") - listBefore, listMs);
        }
    }

    // ------------------------------------------------------------------------------------------ 3: latency

    static void latency(Map<String, String> vm, SshClient ssh, SshTarget target, int n) throws Exception {
        String site = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        Path data = Files.createTempDirectory("ferry-vm-bench-kafka-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(data.resolve("kafka"));
             ApicurioRegistry registry = ApicurioRegistry.builder().jvmOptions(List.of("-Xmx384m", "-XX:+UseSerialGC")).start()) {
            Topics topics = new Topics(TopicsConfig.fromMap(Map.of(TopicsConfig.PREFIX, "bench.", TopicsConfig.PARTITIONS, "3")),
                    new EventSerdes(SerdeConfig.forRegistry(registry.baseUrl())));
            try (TopicAdmin admin = TopicAdmin.connect(broker.bootstrapServers(), Duration.ofSeconds(30), Map.of())) {
                admin.apply(topics.all(List.of(site)));
            }
            String yaml = """
                    site: %s
                    kafka:
                      bootstrapServers: %s
                    registry:
                      url: %s
                    topics:
                      prefix: bench.
                      partitions: '3'
                    backend:
                      type: vm
                      vm:
                        user: %s
                        identityFile: %s
                        knownHostsFile: %s
                        workDir: %s
                        pools:
                          - name: local
                            runtime: host
                            hosts:
                              - name: local
                                address: %s
                                port: %s
                    """.formatted(site, broker.bootstrapServers(), registry.baseUrl(), vm.get("FERRY_VM_USER"), vm.get("FERRY_VM_KEY"),
                    vm.get("FERRY_VM_KNOWN_HOSTS"), WORK, vm.get("FERRY_VM_HOST"), vm.get("FERRY_VM_PORT"));
            Map<String, PodStatusEvent> running = new ConcurrentHashMap<>();
            Map<String, PodStatusEvent> succeeded = new ConcurrentHashMap<>();
            Map<String, Long> eventTime = new ConcurrentHashMap<>();
            Thread reader = new Thread(() -> readStatus(broker.bootstrapServers(), topics.podStatus(), running, succeeded, eventTime, n));
            reader.setDaemon(true);
            reader.start();
            List<String> uids = new ArrayList<>();
            try (Executor executor = Executor.create(SiteConfig.parse(yaml), null, System.getenv(), Clock.systemUTC()).start();
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                         broker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
                executor.runtime().awaitStarted(Duration.ofMinutes(2));
                Topic<String, JobCommand> jobs = topics.jobs(site);
                for (int i = 0; i < n; i++) {
                    JobCommand command = run(site, "p" + i);
                    String uid = command.getPod().getUid();
                    uids.add(uid);
                    producer.send(new ProducerRecord<>(jobs.name(), uid, jobs.valueSerde().serializer().serialize(jobs.name(), command)));
                }
                producer.flush();
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                while (succeeded.size() < n && System.nanoTime() < deadline) {
                    Thread.sleep(500);
                }
            }
            // the wrapper's own millisecond records of each container's start and end, read in one round trip
            Map<String, long[]> times = new HashMap<>();
            String out = ssh.exec(target, "cd " + WORK + "/" + site + " && for d in *-0; do printf '%s ' \"$d\"; cat \"$d/state/main.started\" "
                    + "\"$d/state/main.exit\" | tr '\\n' ' '; echo; done", new byte[0], Duration.ofMinutes(1)).stdoutText();
            for (String line : out.split("\n")) {
                String[] w = line.strip().split("\\s+");
                if (w.length >= 4) {
                    times.put(w[0].substring(0, w[0].length() - 2), new long[] {Long.parseLong(w[1]), Long.parseLong(w[3])});
                }
            }
            Histogram toRunning = new Histogram(3);
            Histogram toSucceeded = new Histogram(3);
            for (String uid : uids) {
                long[] t = times.get(uid);
                if (t == null) {
                    continue;
                }
                if (eventTime.containsKey(uid + "/RUNNING")) {
                    toRunning.recordValue(Math.max(0, eventTime.get(uid + "/RUNNING") - t[0]));
                }
                if (eventTime.containsKey(uid + "/SUCCEEDED")) {
                    toSucceeded.recordValue(Math.max(0, eventTime.get(uid + "/SUCCEEDED") - t[1]));
                }
            }
            System.out.printf(Locale.ROOT, "%nstate change -> PodStatusEvent on the topic (%d pods, poll interval 1 s):%n", n);
            print("container started -> RUNNING", toRunning);
            print("container ended -> SUCCEEDED", toSucceeded);
        } finally {
            try (java.util.stream.Stream<Path> walk = Files.walk(data)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void readStatus(String bootstrap, Topic<String, PodStatusEvent> topic, Map<String, PodStatusEvent> running,
                                   Map<String, PodStatusEvent> succeeded, Map<String, Long> eventTime, int n) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic.name()));
            while (succeeded.size() < n) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    PodStatusEvent e = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
                    String uid = e.getPod().getUid();
                    if (e.getPhase() == PodPhase.RUNNING && running.putIfAbsent(uid, e) == null) {
                        eventTime.put(uid + "/RUNNING", r.timestamp());
                    } else if (e.getPhase() == PodPhase.SUCCEEDED && succeeded.putIfAbsent(uid, e) == null) {
                        eventTime.put(uid + "/SUCCEEDED", r.timestamp());
                    }
                }
            }
        }
    }

    private static void print(String what, Histogram h) {
        System.out.printf(Locale.ROOT, "  %-32s n=%d p50=%d ms p99=%d ms max=%d ms%n", what, h.getTotalCount(),
                h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue());
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static VmSettings settings(Map<String, String> vm) {
        VmSettings.PoolSettings pool = VmSettings.PoolSettings.of("local", "host",
                List.of(new VmSettings.HostSettings("local", vm.get("FERRY_VM_HOST"), Integer.parseInt(vm.get("FERRY_VM_PORT")), null)));
        return new VmSettings(vm.get("FERRY_VM_USER"), vm.get("FERRY_VM_KEY"), null, vm.get("FERRY_VM_KNOWN_HOSTS"), WORK, null,
                Duration.ofMinutes(2), null, null, null, null, List.of(pool));
    }

    private static Map<String, String> localVm() throws IOException {
        Path file = Path.of(System.getenv().getOrDefault("FERRY_VM_DIR", "/tmp/ferry-vm"), "env");
        if (!Files.isReadable(file)) {
            System.err.println("no local sshd: " + file + " is missing; start it with executors/vm/scripts/local-vm.sh start");
            System.exit(1);
        }
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }

    private static JobCommand run(String site, String name) {
        String uid = UUID.randomUUID().toString();
        PodRef ref = PodRef.newBuilder().setNamespace("bench").setName(name).setUid(uid).build();
        Container c = Container.newBuilder().setName("main").setImage("none").setCommand(List.of("sleep", "2")).build();
        PodIntent intent = PodIntent.newBuilder().setIntentId(uid + "/CREATE/1").setOperation(IntentOperation.CREATE).setPod(ref)
                .setNodeName("ferry").setSpec(PodSpecSnapshot.newBuilder().setContainers(List.of(c)).setRestartPolicy(RestartPolicy.NEVER).build())
                .setCreatedAt(Instant.now()).build();
        return JobCommand.newBuilder().setCommandId(uid + "/run").setType(CommandType.RUN).setPod(ref).setSite(site)
                .setPoolId(site + "/local").setIntent(intent).setIssuedAt(Instant.now()).build();
    }

    private static JobIdentity identity(String site) {
        return new JobIdentity(site, UUID.randomUUID().toString(), "bench", "p", 0, "local");
    }

    private static PodJob pod(List<String> command) {
        return new PodJob(Map.of(), Map.of(), List.of(), List.of(new PodJob.ContainerSpec("main", "none", command, List.of(), List.of(),
                Optional.empty(), Map.of(), Map.of(), List.of())), List.of(), Optional.empty(), "Never");
    }

    private static void awaitFinished(VmBackend backend, List<JobHandle> handles, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Map<JobHandle, JobStatus> states = backend.poll(handles);
            if (states.size() == handles.size() && states.values().stream().allMatch(JobStatus::isTerminal)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("jobs did not finish within " + timeout);
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static int intArg(String[] args, String name, int def) {
        return Integer.parseInt(stringArg(args, name, Integer.toString(def)));
    }

    private static String stringArg(String[] args, String name, String def) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return def;
    }

    private static void quietLogs() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
    }
}
