package dev.ferry.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.junit.KafkaExtension;
import dev.ferry.devkit.junit.RegistryExtension;
import dev.ferry.devkit.junit.TestNames;
import dev.ferry.devkit.kafka.KafkaBroker;
import dev.ferry.devkit.process.ChildProcesses;
import dev.ferry.devkit.registry.SchemaRegistry;
import dev.ferry.events.CommandType;
import dev.ferry.events.DecisionOutcome;
import dev.ferry.events.JobCommand;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.PoolAdvert;
import dev.ferry.events.RoutingDecision;
import dev.ferry.events.StatusSource;
import dev.ferry.fixtures.Pods;
import dev.ferry.router.testing.PoolAdverts;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.TopicAdmin;
import dev.ferry.schema.Topics;
import dev.ferry.schema.TopicsConfig;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Exactly-once across a crash: 5,000 intents, pools far smaller than the demand (so most pods wait in queues and
 * every completion releases capacity), a stand-in executor that runs each RUN for 10 ms and reports it finished,
 * and the router's JVM killed with SIGKILL mid-run (no close, no commit, a transaction left open), then a new
 * router with an empty state directory (it restores from the changelogs). Read with {@code read_committed}, every
 * pod gets exactly one RUN and one ASSIGNED decision, and no pool ever runs more than its allocatable.
 */
@ExtendWith({KafkaExtension.class, RegistryExtension.class})
class RouterEosCrashIT {

    private static final int PODS = 5_000;
    private static final int KILL_AFTER_RUNS = 1_500;
    private static final Map<String, Integer> POOLS = Map.of("pool-a1", 40, "pool-a2", 20, "pool-b1", 40);

    private final List<Process> children = new ArrayList<>();
    private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    private final List<String> overCommits = new CopyOnWriteArrayList<>();
    private final AtomicInteger finished = new AtomicInteger();
    private final List<String> sendFailures = new CopyOnWriteArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(p -> ChildProcesses.stop(p.toHandle(), Duration.ofSeconds(10)));
    }

    @Test
    @SuppressWarnings("try") // the jobs collector works through its callback
    void everyPodRunsExactlyOnceAcrossACrashAndNoPoolIsOverCommitted(KafkaBroker kafka, SchemaRegistry registry)
            throws Exception {
        String prefix = TestNames.unique("crash") + ".";
        String applicationId = TestNames.unique("router-crash");
        Topics topics = new Topics(TopicsConfig.fromMap(Map.of(TopicsConfig.PREFIX, prefix, TopicsConfig.PARTITIONS, "3")),
                new EventSerdes(SerdeConfig.forRegistry(registry.baseUrl())));
        try (TopicAdmin admin = TopicAdmin.connect(kafka.bootstrapServers(), Duration.ofSeconds(30), Map.of())) {
            admin.apply(topics.all(List.of("site-a", "site-b")));
        }
        POOLS.keySet().forEach(p -> running.put(p, new AtomicInteger()));
        Path work = Files.createTempDirectory(Paths.get("target"), "router-crash-");

        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        executor.scheduleAtFixedRate(() -> System.out.printf("progress: %d pods got RUN, %d finished, running %s%n",
                runs.size(), finished.get(), running), 10, 10, TimeUnit.SECONDS);
        try (KafkaProducer<String, Object> producer = producer(kafka, topics);
             Collector<JobCommand> jobs = new Collector<>(kafka.bootstrapServers(),
                     List.of(topics.jobs("site-a").name(), topics.jobs("site-b").name()),
                     topics.jobs("site-a").valueSerde().deserializer(),
                     record -> run(record, producer, topics, executor));
             Collector<RoutingDecision> decisions = new Collector<>(kafka.bootstrapServers(),
                     List.of(topics.decisions().name()), topics.decisions().valueSerde().deserializer())) {
            for (Map.Entry<String, Integer> pool : POOLS.entrySet()) {
                PoolAdvert advert = PoolAdverts.pool(pool.getKey()).site(pool.getKey().startsWith("pool-a") ? "site-a" : "site-b")
                        .only().allocatable("cpu", Integer.toString(pool.getValue())).heartbeat(Instant.now(), 3600).advert();
                producer.send(new ProducerRecord<>(topics.pools().name(), advert.getPoolId(), advert)).get();
            }

            long t0 = System.nanoTime();
            Process first = startRouter(kafka, registry, prefix, applicationId, work.resolve("state-1"), work.resolve("router-1.log"));
            // a pod that arrives before the router knows any pool is rejected ("no pool is known"): let the adverts
            // reach the routing side first, as they would have long before in a running system
            try (Collector<byte[]> views = new Collector<>(kafka.bootstrapServers(), List.of(applicationId + "-pool-view"),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
                await().atMost(Duration.ofSeconds(60)).until(() -> views.records().stream()
                        .map(ConsumerRecord::key).distinct().count() == POOLS.size());
            }
            for (int i = 0; i < PODS; i++) {
                PodIntent intent = Pods.named("pod-" + i).withUid("uid-" + i).requesting("cpu", i % 5 == 0 ? "2" : "1")
                        .create();
                producer.send(new ProducerRecord<>(topics.podIntents().name(), intent.getPod().getUid(), intent));
            }
            producer.flush();
            long t1 = System.nanoTime();

            await().atMost(Duration.ofSeconds(120)).until(() -> runs.size() >= KILL_AFTER_RUNS);
            first.destroyForcibly(); // SIGKILL: no close, no commit; its open transaction is aborted by the broker
            first.waitFor(10, TimeUnit.SECONDS);
            int runsAtKill = runs.size();
            long t2 = System.nanoTime();
            assertThat(runsAtKill).as("killed mid-run").isLessThan(PODS);

            startRouter(kafka, registry, prefix, applicationId, work.resolve("state-2"), work.resolve("router-2.log"));
            long t3 = System.nanoTime();

            try {
                await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> finished.get() >= PODS);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("only " + finished.get() + " of " + PODS + " pods ran; the last decisions of "
                        + "those that did not: " + lastDecisionsOfPodsWithoutRun(decisions) + "; status sends that failed: "
                        + sendFailures, e);
            }
            long t4 = System.nanoTime();
            // anything the routers wrote late would show up here: the outcome must hold for a while, not just once
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> runs.size() == PODS
                    && runs.values().stream().allMatch(count -> count.get() == 1) && overCommits.isEmpty());

            assertThat(overCommits).as("pools over-committed").isEmpty();
            assertThat(sendFailures).as("the stand-in executor's status reports").isEmpty();
            assertThat(decisions.values()).as("rejected pods").noneMatch(d -> d.getOutcome() == DecisionOutcome.REJECTED);
            assertThat(runs).hasSize(PODS);
            assertThat(runs.entrySet().stream().filter(e -> e.getValue().get() != 1).map(Map.Entry::getKey).toList())
                    .as("pods with more than one RUN").isEmpty();
            Map<String, Long> assigned = decisions.values().stream()
                    .filter(d -> d.getOutcome() == DecisionOutcome.ASSIGNED)
                    .collect(Collectors.groupingBy(d -> d.getPod().getUid(), Collectors.counting()));
            assertThat(assigned).hasSize(PODS);
            assertThat(assigned.values()).containsOnly(1L);
            System.out.printf("crash test: router up in %d ms; %d RUNs %d ms later, then SIGKILL; second router up in %d ms;"
                            + " the remaining pods done %d ms later; all %d pods ran exactly once%n",
                    ms(t1 - t0), runsAtKill, ms(t2 - t1), ms(t3 - t2), ms(t4 - t3), PODS);
        } finally {
            executor.shutdownNow();
        }
    }

    private String lastDecisionsOfPodsWithoutRun(Collector<RoutingDecision> decisions) {
        Map<String, RoutingDecision> last = new java.util.LinkedHashMap<>();
        decisions.values().forEach(d -> last.put(d.getPod().getUid(), d));
        Map<String, Long> outcomes = new java.util.TreeMap<>();
        List<String> samples = new ArrayList<>();
        for (int i = 0; i < PODS; i++) {
            String uid = "uid-" + i;
            if (runs.containsKey(uid)) {
                continue;
            }
            RoutingDecision d = last.get(uid);
            String key = d == null ? "no decision" : d.getOutcome() + " at " + d.getPoolId();
            outcomes.merge(key, 1L, Long::sum);
            if (samples.size() < 5) {
                samples.add(uid + ": " + (d == null ? "none" : d.getOutcome() + " " + d.getReason()));
            }
        }
        return outcomes + " e.g. " + samples;
    }

    /** The stand-in executor: counts the RUN, checks the pool, reports the pod finished 10 ms later. */
    private void run(ConsumerRecord<String, JobCommand> record, KafkaProducer<String, Object> producer, Topics topics,
                     ScheduledExecutorService executor) {
        JobCommand command = record.value();
        if (command.getType() != CommandType.RUN) {
            return;
        }
        String uid = command.getPod().getUid();
        int cpu = Integer.parseInt(command.getIntent().getSpec().getContainers().get(0).getRequests().get("cpu"));
        if (runs.computeIfAbsent(uid, u -> new AtomicInteger()).incrementAndGet() > 1) {
            return; // counted; a second RUN must not run the pod twice here either
        }
        int now = running.get(command.getPoolId()).addAndGet(cpu);
        if (now > POOLS.get(command.getPoolId())) {
            overCommits.add(command.getPoolId() + ": " + now + " cpu running, allocatable " + POOLS.get(command.getPoolId()));
        }
        executor.schedule(() -> {
            running.get(command.getPoolId()).addAndGet(-cpu);
            PodStatusEvent done = PodStatusEvent.newBuilder()
                    .setPod(command.getPod()).setPhase(PodPhase.SUCCEEDED).setReason("Completed")
                    .setAttempt(command.getAttempt()).setSource(StatusSource.EXECUTOR).setSequence(1)
                    .setSite(command.getSite()).setPoolId(command.getPoolId()).setObservedAt(Instant.now()).build();
            producer.send(new ProducerRecord<>(topics.podStatus().name(), uid, done), (metadata, error) -> {
                if (error != null) {
                    sendFailures.add(uid + ": " + error);
                }
            });
            finished.incrementAndGet();
        }, 10, TimeUnit.MILLISECONDS);
    }

    private Process startRouter(KafkaBroker kafka, SchemaRegistry registry, String prefix, String applicationId,
                                Path stateDir, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(ChildProcesses.javaExecutable(), "-Xmx384m", "-XX:+UseSerialGC",
                "-cp", absolute(System.getProperty("java.class.path")), RouterChild.class.getName(),
                kafka.bootstrapServers(), registry.baseUrl(), prefix, "3", applicationId, stateDir.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        children.add(process);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("the router child exited: " + ChildProcesses.tail(log, 40));
            }
            return Files.readString(log).contains(RouterChild.READY);
        });
        return process;
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static String absolute(String classpath) {
        return Arrays.stream(classpath.split(File.pathSeparator))
                .map(entry -> Paths.get(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** One producer for every event type: the registry serializer handles any of them, subject per topic. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static KafkaProducer<String, Object> producer(KafkaBroker kafka, Topics topics) {
        org.apache.kafka.common.serialization.Serializer values = topics.podIntents().valueSerde().serializer();
        return new KafkaProducer<String, Object>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), values);
    }
}
