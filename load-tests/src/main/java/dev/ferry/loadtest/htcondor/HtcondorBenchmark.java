package dev.ferry.loadtest.htcondor;

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
import dev.ferry.executor.htcondor.ChrootCommandRunner;
import dev.ferry.executor.htcondor.HtcondorBackend;
import dev.ferry.executor.htcondor.HtcondorBackendFactory;
import dev.ferry.executor.htcondor.HtcondorSettings;
import dev.ferry.executor.htcondor.PodDirectories;
import dev.ferry.executor.htcondor.UnixUser;
import dev.ferry.executor.process.LocalCommandRunner;
import dev.ferry.executor.spi.CommandResult;
import dev.ferry.executor.spi.CommandRunner;
import dev.ferry.executor.spi.JobHandle;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.JobRequest;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.PodJob;
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
import java.util.LinkedHashMap;
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
 * The executor with the HTCondor backend against the real local HTCondor of
 * {@code executors/htcondor/scripts/local-htcondor.sh start} (a chroot, {@code $FERRY_HTCONDOR_CHROOT}, default
 * /var/cache/ferry/htcondor-chroot; jobs as {@code $FERRY_HTCONDOR_USER}, default ferry; must run as root). Three
 * measurements:
 * <ol>
 *   <li><b>Submissions per second</b>: {@link HtcondorBackend#submit} back to back (render the submit description,
 *       write the pod directory, run {@code condor_submit} in the chroot), for pods that run {@code true}.</li>
 *   <li><b>Status queries per poll cycle</b> with 1, 100 and 1,000 tracked jobs (their requirements never match, so
 *       they stay idle and take no CPU): how many {@code condor_q}, {@code condor_history} and {@code condor_rm} runs
 *       one {@link HtcondorBackend#poll} makes, and how long it takes.</li>
 *   <li><b>State change → event</b>: the full executor (Kafka, registry, the runtime with its default 1 s poll
 *       interval) runs pods that sleep 2 s; for each pod, the time from the moment its command started (resp.
 *       ended), as the pod itself recorded in milliseconds, to the {@code PodStatusEvent} RUNNING (resp. SUCCEEDED)
 *       on the topic (the record's timestamp). This includes HTCondor's own lag in telling the schedd (the starter
 *       and shadow update intervals), the poll interval and the publish.</li>
 * </ol>
 *
 * <pre>
 *   mvn -B -o -q -pl executors/htcondor,load-tests -am install -DskipTests
 *   mvn -B -o -q -pl load-tests org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *       -Dexec.mainClass=dev.ferry.loadtest.htcondor.HtcondorBenchmark -Dexec.args="--submits 100 --pods 32 --tracked 1,100,1000"
 * </pre>
 */
public final class HtcondorBenchmark {

    private static final String PODS = "/var/lib/ferry/pods";

    private HtcondorBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        quietLogs();
        int submits = intArg(args, "--submits", 100);
        int pods = intArg(args, "--pods", 32);
        List<Integer> tracked = new ArrayList<>();
        for (String n : stringArg(args, "--tracked", "1,100,1000").split(",")) {
            tracked.add(Integer.parseInt(n.strip()));
        }
        HtcondorSettings.Chroot chroot = new HtcondorSettings.Chroot(
                Optional.ofNullable(System.getenv("FERRY_HTCONDOR_CHROOT")).filter(s -> !s.isBlank()).orElse("/var/cache/ferry/htcondor-chroot"),
                Optional.ofNullable(System.getenv("FERRY_HTCONDOR_USER")).filter(s -> !s.isBlank()).orElse("ferry"));
        UnixUser user = HtcondorBackendFactory.chrootUser(chroot, "FERRY_HTCONDOR_CHROOT");
        Map<String, String> env = LocalCommandRunner.environment(System.getenv(), Map.of());
        CommandRunner probe = runner(env, chroot, user);
        CommandResult q = probe.run(List.of("condor_q", "-totals"));
        if (!q.ok()) {
            System.err.println("no HTCondor reachable (" + q.describe() + "): executors/htcondor/scripts/local-htcondor.sh start");
            System.exit(1);
        }
        String version = probe.run(List.of("condor_version")).stdout().lines().findFirst().orElse("?");
        String run = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        System.out.printf(Locale.ROOT, "%s, %d cores, load %s%n", version, Runtime.getRuntime().availableProcessors(), load());

        submitRate(env, chroot, user, run, submits);
        pollCost(env, chroot, user, run, tracked);
        latency(env, chroot, run, pods);
        System.out.printf(Locale.ROOT, "load at the end: %s%n", load());
    }

    static ChrootCommandRunner runner(Map<String, String> env, HtcondorSettings.Chroot chroot, UnixUser user) {
        return new ChrootCommandRunner(new LocalCommandRunner(env, Path.of("/tmp"), Duration.ofSeconds(300)), chroot.dir(), user);
    }

    static HtcondorBackend backend(String site, HtcondorSettings settings, CommandRunner runner, UnixUser user) {
        return new HtcondorBackend(site, settings, runner, new PodDirectories(Path.of(settings.chroot().dir()), Optional.of(user)),
                Clock.systemUTC());
    }

    // ------------------------------------------------------------------------------------------ 1: submissions

    static void submitRate(Map<String, String> env, HtcondorSettings.Chroot chroot, UnixUser user, String run, int n) throws Exception {
        String site = run + "-submit";
        HtcondorSettings settings = HtcondorSettings.of(PODS + "/" + site).withChroot(chroot);
        HtcondorBackend backend = backend(site, settings, runner(env, chroot, user), user);
        List<JobHandle> handles = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            handles.add(backend.submit(new JobRequest(identity(site), pod(List.of("true"), Map.of()))));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%nsubmissions: %d in %.1f s = %.1f/s (%.1f ms each: submit description, pod directory,"
                + " condor_submit)%n", n, seconds, n / seconds, seconds * 1000 / n);
        awaitFinished(backend, handles, Duration.ofMinutes(10));
    }

    // ------------------------------------------------------------------------------------------ 2: poll cost

    static void pollCost(Map<String, String> env, HtcondorSettings.Chroot chroot, UnixUser user, String run, List<Integer> sizes)
            throws Exception {
        System.out.printf(Locale.ROOT, "%nstatus queries per poll (idle jobs that never match):%n%8s %10s %15s %10s %12s%n", "tracked",
                "condor_q", "condor_history", "condor_rm", "poll ms");
        String site = run + "-poll";
        ChrootCommandRunner runner = runner(env, chroot, user);
        HtcondorBackend backend = backend(site, HtcondorSettings.of(PODS + "/" + site).withChroot(chroot), runner, user);
        PodJob pod = pod(List.of("true"), Map.of(HtcondorSettings.ANNOTATION, "requirements = false"));
        List<JobHandle> idle = new ArrayList<>();
        try {
            for (int size : sizes) {
                while (idle.size() < size) {
                    idle.add(backend.submit(new JobRequest(identity(site), pod)));
                }
                List<JobHandle> tracked = idle.subList(0, size);
                backend.poll(tracked); // warm
                Map<String, Long> before = runner.invocations();
                int cycles = 5;
                long start = System.nanoTime();
                for (int c = 0; c < cycles; c++) {
                    Map<JobHandle, JobStatus> states = backend.poll(tracked);
                    if (states.size() != size) {
                        throw new IllegalStateException("poll answered for " + states.size() + " of " + size + " jobs");
                    }
                }
                double ms = (System.nanoTime() - start) / 1e6 / cycles;
                Map<String, Long> after = runner.invocations();
                System.out.printf(Locale.ROOT, "%8d %10.1f %15.1f %10.1f %12.1f%n", size, per(before, after, "condor_q", cycles),
                        per(before, after, "condor_history", cycles), per(before, after, "condor_rm", cycles), ms);
            }
        } finally {
            runner.run(List.of("condor_rm", "-constraint", "FerrySite == \"" + site + "\""));
        }
    }

    private static double per(Map<String, Long> before, Map<String, Long> after, String command, int cycles) {
        return (after.getOrDefault(command, 0L) - before.getOrDefault(command, 0L)) / (double) cycles;
    }

    // ------------------------------------------------------------------------------------------ 3: latency

    static void latency(Map<String, String> env, HtcondorSettings.Chroot chroot, String run, int n) throws Exception {
        String site = run + "-latency";
        String workDir = PODS + "/" + site;
        Path data = Files.createTempDirectory("ferry-htcondor-bench-kafka-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(data.resolve("kafka"));
             ApicurioRegistry registry = ApicurioRegistry.builder().jvmOptions(List.of("-Xmx384m", "-XX:+UseSerialGC")).start()) {
            Topics topics = new Topics(TopicsConfig.fromMap(Map.of(TopicsConfig.PREFIX, "bench.", TopicsConfig.PARTITIONS, "3")),
                    new EventSerdes(SerdeConfig.forRegistry(registry.baseUrl())));
            try (TopicAdmin admin = TopicAdmin.connect(broker.bootstrapServers(), Duration.ofSeconds(30), Map.of())) {
                admin.apply(topics.all(List.of(site)));
            }
            String yaml = "site: " + site + "\nkafka:\n  bootstrapServers: " + broker.bootstrapServers() + "\nregistry:\n  url: "
                    + registry.baseUrl() + "\ntopics:\n  prefix: bench.\n  partitions: '3'\nbackend:\n  type: htcondor\n  htcondor:\n"
                    + "    workDir: " + workDir + "\n    chroot: {dir: " + chroot.dir() + ", user: " + chroot.user() + "}\n";
            Map<String, PodStatusEvent> running = new ConcurrentHashMap<>();
            Map<String, PodStatusEvent> succeeded = new ConcurrentHashMap<>();
            Map<String, Long> eventTime = new ConcurrentHashMap<>();
            Thread reader = new Thread(() -> readStatus(broker.bootstrapServers(), topics.podStatus(), running, succeeded, eventTime, n));
            reader.setDaemon(true);
            reader.start();
            Map<String, Path> podDirs = new LinkedHashMap<>();
            try (Executor executor = Executor.create(SiteConfig.parse(yaml), null, env, Clock.systemUTC()).start();
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                         broker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
                executor.runtime().awaitStarted(Duration.ofMinutes(2));
                Topic<String, JobCommand> jobs = topics.jobs(site);
                for (int i = 0; i < n; i++) {
                    JobCommand command = run(site, "p" + i);
                    String uid = command.getPod().getUid();
                    podDirs.put(uid, Path.of(chroot.dir(), workDir.substring(1), uid + "-0"));
                    producer.send(new ProducerRecord<>(jobs.name(), uid, jobs.valueSerde().serializer().serialize(jobs.name(), command)));
                }
                producer.flush();
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                while (succeeded.size() < n && System.nanoTime() < deadline) {
                    Thread.sleep(500);
                }
            }
            Histogram toRunning = new Histogram(3);
            Histogram toSucceeded = new Histogram(3);
            for (Map.Entry<String, Path> pod : podDirs.entrySet()) {
                String uid = pod.getKey();
                Optional<Long> started = millis(pod.getValue().resolve("work/started"));
                Optional<Long> ended = millis(pod.getValue().resolve("work/ended"));
                if (running.containsKey(uid) && started.isPresent()) {
                    toRunning.recordValue(Math.max(0, eventTime.get(uid + "/RUNNING") - started.get()));
                }
                if (succeeded.containsKey(uid) && ended.isPresent()) {
                    toSucceeded.recordValue(Math.max(0, eventTime.get(uid + "/SUCCEEDED") - ended.get()));
                }
            }
            System.out.printf(Locale.ROOT, "%nstate change -> PodStatusEvent on the topic (%d pods, poll interval 1 s):%n", n);
            print("command started -> RUNNING", toRunning);
            print("command ended -> SUCCEEDED", toSucceeded);
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

    private static JobCommand run(String site, String name) {
        String uid = UUID.randomUUID().toString();
        PodRef ref = PodRef.newBuilder().setNamespace("bench").setName(name).setUid(uid).build();
        // the pod records when its command really started and ended, in milliseconds, in its own work directory
        Container c = Container.newBuilder().setName("main").setImage("none").setCommand(List.of("sh", "-c",
                "date +%s%3N > started; sleep 2; date +%s%3N > ended")).build();
        PodIntent intent = PodIntent.newBuilder().setIntentId(uid + "/CREATE/1").setOperation(IntentOperation.CREATE).setPod(ref)
                .setNodeName("ferry").setSpec(PodSpecSnapshot.newBuilder().setContainers(List.of(c)).setRestartPolicy(RestartPolicy.NEVER).build())
                .setCreatedAt(Instant.now()).build();
        return JobCommand.newBuilder().setCommandId(uid + "/run").setType(CommandType.RUN).setPod(ref).setSite(site)
                .setPoolId(site + "/default").setIntent(intent).setIssuedAt(Instant.now()).build();
    }

    private static JobIdentity identity(String site) {
        return new JobIdentity(site, UUID.randomUUID().toString(), "bench", "p", 0, "default");
    }

    private static PodJob pod(List<String> command, Map<String, String> annotations) {
        return new PodJob(Map.of(), annotations, List.of(), List.of(new PodJob.ContainerSpec("main", "none", command, List.of(),
                List.of(), Optional.empty(), Map.of(), Map.of(), List.of())), List.of(), Optional.empty(), "Never");
    }

    private static void awaitFinished(HtcondorBackend backend, List<JobHandle> handles, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Map<JobHandle, JobStatus> states = backend.poll(handles);
            if (states.values().stream().allMatch(JobStatus::isTerminal) && states.size() == handles.size()) {
                return;
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("jobs did not finish within " + timeout);
    }

    private static Optional<Long> millis(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file).strip()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
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
