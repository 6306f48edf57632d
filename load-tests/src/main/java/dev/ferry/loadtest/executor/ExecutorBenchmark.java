package dev.ferry.loadtest.executor;

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
import dev.ferry.executor.process.LocalCommandRunner;
import dev.ferry.executor.slurm.SlurmBackend;
import dev.ferry.executor.slurm.SlurmSettings;
import dev.ferry.executor.spi.CommandResult;
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
import java.time.ZoneId;
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
 * The executor with the Slurm backend against the real local Slurm ({@code executors/slurm/scripts/local-slurm.sh
 * start}; {@code SLURM_CONF} or {@code /tmp/ferry-slurm/etc/slurm.conf}). Three measurements:
 * <ol>
 *   <li><b>Submissions per second</b>: {@link SlurmBackend#submit} back to back (render the script, write the pod
 *       directory, run {@code sbatch}), for pods that run {@code true}.</li>
 *   <li><b>Status queries per poll cycle</b> with 1, 100 and 1,000 tracked jobs (held, so they stay queued and take
 *       no CPU): how many {@code squeue}, {@code sacct} and {@code scontrol} runs one {@link SlurmBackend#poll} makes,
 *       and how long it takes. The runtime makes one poll call per interval for all its jobs (ExecutorRuntimeTest).</li>
 *   <li><b>State change → event</b>: the full executor ({@code ferry executor} wiring: Kafka, registry, the
 *       runtime with its default 1 s poll interval) runs pods that sleep 2 s; for each pod, the time from the moment
 *       its container started (resp. ended), as the job script recorded it in milliseconds, to the
 *       {@code PodStatusEvent} RUNNING (resp. SUCCEEDED) on the topic (the record's timestamp). This includes
 *       Slurm's own lag in noticing the state change, the poll interval and the publish.</li>
 * </ol>
 * Usage: {@code ExecutorBenchmark [--submits N] [--pods N] [--tracked 1,100,1000]}.
 */
public final class ExecutorBenchmark {

    private ExecutorBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        quietLogs();
        int submits = intArg(args, "--submits", 200);
        int pods = intArg(args, "--pods", 64);
        List<Integer> tracked = new ArrayList<>();
        for (String n : stringArg(args, "--tracked", "1,100,1000").split(",")) {
            tracked.add(Integer.parseInt(n.strip()));
        }
        Map<String, String> env = slurmEnvironment();
        LocalCommandRunner runner = new LocalCommandRunner(env, Path.of("/tmp"), Duration.ofSeconds(60));
        CommandResult sinfo = runner.run(List.of("sinfo", "-h", "-o", "%P"));
        if (!sinfo.ok()) {
            System.err.println("no Slurm reachable (" + sinfo.describe() + "): executors/slurm/scripts/local-slurm.sh start");
            System.exit(1);
        }
        String partition = sinfo.stdout().strip().split("\n")[0].replace("*", "");
        String version = runner.run(List.of("sinfo", "--version")).stdout().strip();
        Path work = Files.createTempDirectory(Path.of("/tmp"), "ferry-executor-bench-");
        System.out.printf(Locale.ROOT, "%s, partition %s, %d cores, load %s%n", version, partition,
                Runtime.getRuntime().availableProcessors(), load());

        submitRate(runner, work, partition, submits);
        pollCost(env, work, partition, tracked);
        latency(env, work, partition, pods);
        System.out.printf(Locale.ROOT, "load at the end: %s%n", load());
    }

    // ------------------------------------------------------------------------------------------ 1: submissions

    static void submitRate(LocalCommandRunner runner, Path work, String partition, int n) throws Exception {
        SlurmBackend backend = new SlurmBackend("bench-submit", SlurmSettings.of(work.resolve("submit").toString(), "host"), runner,
                ZoneId.systemDefault());
        List<JobHandle> handles = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            handles.add(backend.submit(new JobRequest(identity("bench-submit", partition), pod(List.of("true")))));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%nsubmissions: %d in %.1f s = %.1f/s (%.1f ms each: script, pod directory, sbatch)%n",
                n, seconds, n / seconds, seconds * 1000 / n);
        awaitFinished(backend, handles, Duration.ofMinutes(5));
    }

    // ------------------------------------------------------------------------------------------ 2: poll cost

    static void pollCost(Map<String, String> env, Path work, String partition, List<Integer> sizes) throws Exception {
        System.out.printf(Locale.ROOT, "%nstatus queries per poll (held jobs):%n%8s %8s %8s %10s %12s%n", "tracked", "squeue", "sacct",
                "scontrol", "poll ms");
        List<String> allowed = new ArrayList<>(SlurmSettings.DEFAULT_ALLOWED_FLAGS);
        allowed.add("--hold");
        LocalCommandRunner runner = new LocalCommandRunner(env, Path.of("/tmp"), Duration.ofSeconds(120));
        SlurmBackend backend = new SlurmBackend("bench-poll", new SlurmSettings(work.resolve("poll").toString(), "host", null, allowed,
                null, null, null, null, null), runner, ZoneId.systemDefault());
        List<JobHandle> held = new ArrayList<>();
        PodJob pod = new PodJob(Map.of(), Map.of("slurm-job.vk.io/flags", "--hold"), List.of(), List.of(container(List.of("true"))), List.of(),
                Optional.empty(), "Never");
        try {
            for (int size : sizes) {
                while (held.size() < size) {
                    held.add(backend.submit(new JobRequest(identity("bench-poll", partition), pod)));
                }
                List<JobHandle> tracked = held.subList(0, size);
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
                System.out.printf(Locale.ROOT, "%8d %8.1f %8.1f %10.1f %12.1f%n", size, per(before, after, "squeue", cycles),
                        per(before, after, "sacct", cycles), per(before, after, "scontrol", cycles), ms);
            }
        } finally {
            for (int i = 0; i < held.size(); i += 200) {
                List<String> argv = new ArrayList<>(List.of("scancel"));
                held.subList(i, Math.min(held.size(), i + 200)).forEach(h -> argv.add(h.backendJobId()));
                runner.run(argv);
            }
        }
    }

    private static double per(Map<String, Long> before, Map<String, Long> after, String command, int cycles) {
        return (after.getOrDefault(command, 0L) - before.getOrDefault(command, 0L)) / (double) cycles;
    }

    // ------------------------------------------------------------------------------------------ 3: latency

    static void latency(Map<String, String> env, Path work, String partition, int n) throws Exception {
        String site = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        Path data = Files.createTempDirectory("ferry-executor-bench-kafka-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(data.resolve("kafka"));
             ApicurioRegistry registry = ApicurioRegistry.builder().jvmOptions(List.of("-Xmx384m", "-XX:+UseSerialGC")).start()) {
            Topics topics = new Topics(TopicsConfig.fromMap(Map.of(TopicsConfig.PREFIX, "bench.", TopicsConfig.PARTITIONS, "3")),
                    new EventSerdes(SerdeConfig.forRegistry(registry.baseUrl())));
            try (TopicAdmin admin = TopicAdmin.connect(broker.bootstrapServers(), Duration.ofSeconds(30), Map.of())) {
                admin.apply(topics.all(List.of(site)));
            }
            Path podsDir = work.resolve("latency");
            String yaml = "site: " + site + "\nkafka:\n  bootstrapServers: " + broker.bootstrapServers() + "\nregistry:\n  url: "
                    + registry.baseUrl() + "\ntopics:\n  prefix: bench.\n  partitions: '3'\nbackend:\n  type: slurm\n  environment:\n"
                    + "    SLURM_CONF: '" + env.getOrDefault("SLURM_CONF", "") + "'\n  slurm:\n    workDir: " + podsDir + "\n    runtime: host\n";
            Map<String, PodStatusEvent> running = new ConcurrentHashMap<>();
            Map<String, PodStatusEvent> succeeded = new ConcurrentHashMap<>();
            Map<String, Long> eventTime = new ConcurrentHashMap<>();
            Thread reader = new Thread(() -> readStatus(broker.bootstrapServers(), topics.podStatus(), running, succeeded, eventTime, n));
            reader.setDaemon(true);
            reader.start();
            Map<String, String> podDirs = new LinkedHashMap<>();
            try (Executor executor = Executor.create(SiteConfig.parse(yaml), null, env, Clock.systemUTC()).start();
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                         broker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
                executor.runtime().awaitStarted(Duration.ofMinutes(2));
                Topic<String, JobCommand> jobs = topics.jobs(site);
                for (int i = 0; i < n; i++) {
                    JobCommand command = run(site, partition, "p" + i);
                    String uid = command.getPod().getUid();
                    podDirs.put(uid, podsDir.resolve(uid + "-0").toString());
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
            for (Map.Entry<String, String> pod : podDirs.entrySet()) {
                String uid = pod.getKey();
                Optional<Long> started = millis(Path.of(pod.getValue(), "state", "main.started"));
                Optional<Long> ended = millis(Path.of(pod.getValue(), "state", "main.exit"));
                if (running.containsKey(uid) && started.isPresent()) {
                    toRunning.recordValue(Math.max(0, eventTime.get(uid + "/RUNNING") - started.get()));
                }
                if (succeeded.containsKey(uid) && ended.isPresent()) {
                    toSucceeded.recordValue(Math.max(0, eventTime.get(uid + "/SUCCEEDED") - ended.get()));
                }
            }
            System.out.printf(Locale.ROOT, "%nstate change -> PodStatusEvent on the topic (%d pods, poll interval 1 s):%n", n);
            print("container started -> RUNNING", toRunning);
            print("container ended -> SUCCEEDED", toSucceeded);
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

    private static JobCommand run(String site, String partition, String name) {
        String uid = UUID.randomUUID().toString();
        PodRef ref = PodRef.newBuilder().setNamespace("bench").setName(name).setUid(uid).build();
        Container c = Container.newBuilder().setName("main").setImage("none").setCommand(List.of("sleep", "2")).build();
        PodIntent intent = PodIntent.newBuilder().setIntentId(uid + "/CREATE/1").setOperation(IntentOperation.CREATE).setPod(ref)
                .setNodeName("ferry").setSpec(PodSpecSnapshot.newBuilder().setContainers(List.of(c)).setRestartPolicy(RestartPolicy.NEVER).build())
                .setCreatedAt(Instant.now()).build();
        return JobCommand.newBuilder().setCommandId(uid + "/run").setType(CommandType.RUN).setPod(ref).setSite(site)
                .setPoolId(site + "/" + partition).setIntent(intent).setIssuedAt(Instant.now()).build();
    }

    private static JobIdentity identity(String site, String partition) {
        return new JobIdentity(site, UUID.randomUUID().toString(), "bench", "p", 0, partition);
    }

    private static PodJob.ContainerSpec container(List<String> command) {
        return new PodJob.ContainerSpec("main", "none", command, List.of(), List.of(), Optional.empty(), Map.of(), Map.of(), List.of());
    }

    private static PodJob pod(List<String> command) {
        return new PodJob(Map.of(), Map.of(), List.of(), List.of(container(command)), List.of(), Optional.empty(), "Never");
    }

    private static void awaitFinished(SlurmBackend backend, List<JobHandle> handles, Duration timeout) throws Exception {
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
            return Optional.of(Long.parseLong(Files.readString(file).strip().split(" ")[file.toString().endsWith(".exit") ? 1 : 0]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Map<String, String> slurmEnvironment() {
        Map<String, String> extra = new HashMap<>();
        String conf = System.getenv("SLURM_CONF");
        if ((conf == null || conf.isBlank()) && Files.exists(Path.of("/tmp/ferry-slurm/etc/slurm.conf"))) {
            conf = "/tmp/ferry-slurm/etc/slurm.conf";
        }
        if (conf != null) {
            extra.put("SLURM_CONF", conf);
        }
        return LocalCommandRunner.environment(System.getenv(), extra);
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
