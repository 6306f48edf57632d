package dev.ferry.router;

import dev.ferry.events.CommandType;
import dev.ferry.events.ContainerState;
import dev.ferry.events.ContainerStatus;
import dev.ferry.events.JobCommand;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.PoolAdvert;
import dev.ferry.events.RoutingDecision;
import dev.ferry.events.StatusSource;
import dev.ferry.router.testing.FixedIdAvroSerde;
import dev.ferry.router.testing.PoolAdverts;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.Topics;
import dev.ferry.schema.TopicsConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The router's topology in a {@link TopologyTestDriver}, with the registry-free test serde and in-memory stores,
 * plus the steps tests take (advertise a pool, create and delete pods, finish them) and what they read back. Wall
 * clock starts at {@link PoolAdverts#AT}; pool views are published when {@link #settle()} advances it.
 */
final class RouterDriver implements AutoCloseable {

    final RouterConfig config;
    final Topics topics;
    final TopologyTestDriver driver;
    final TestInputTopic<String, PodIntent> intents;
    final TestInputTopic<String, byte[]> rawIntents;
    final TestInputTopic<String, PoolAdvert> pools;
    final TestInputTopic<String, PodStatusEvent> status;
    final TestInputTopic<String, PodMessage> podInbox;
    private final TestOutputTopic<String, RoutingDecision> decisionsOut;
    private final TestOutputTopic<String, PodStatusEvent> statusOut;
    private final Map<String, TestOutputTopic<String, JobCommand>> jobsOut = new HashMap<>();
    private final Map<String, Long> executorSequence = new HashMap<>();
    private final java.util.Set<String> sites = new java.util.TreeSet<>();
    private Instant now = PoolAdverts.AT;

    private final List<RoutingDecision> decisions = new ArrayList<>();
    private final List<PodStatusEvent> statuses = new ArrayList<>();
    private final List<JobCommand> commands = new ArrayList<>();

    RouterDriver() {
        this(Map.of());
    }

    RouterDriver(Map<String, String> settings) {
        this.config = RouterConfig.fromMap(settings).withInMemoryStores(true);
        this.topics = new Topics(TopicsConfig.defaults(), new EventSerdes(FixedIdAvroSerde.config()));
        Properties props = RouterApp.streamsProperties(config, topics, "test.invalid:9092");
        this.driver = new TopologyTestDriver(RouterTopology.build(config, topics), props, PoolAdverts.AT);
        StringSerializer keys = new StringSerializer();
        this.intents = driver.createInputTopic(topics.podIntents().name(), keys, topics.podIntents().valueSerde().serializer());
        this.rawIntents = driver.createInputTopic(topics.podIntents().name(), keys, new ByteArraySerializer());
        this.pools = driver.createInputTopic(topics.pools().name(), keys, topics.pools().valueSerde().serializer());
        this.status = driver.createInputTopic(topics.podStatus().name(), keys, topics.podStatus().valueSerde().serializer());
        RouterTopics own = RouterTopics.of(config, topics);
        this.podInbox = driver.createInputTopic(own.podInbox().name(), keys, own.podInbox().valueSerde().serializer());
        StringDeserializer keysIn = new StringDeserializer();
        this.decisionsOut = driver.createOutputTopic(topics.decisions().name(), keysIn,
                topics.decisions().valueSerde().deserializer());
        this.statusOut = driver.createOutputTopic(topics.podStatus().name(), keysIn,
                topics.podStatus().valueSerde().deserializer());
    }

    // ---- steps

    RouterDriver advertise(PoolAdverts pool) {
        PoolAdvert advert = pool.advert();
        sites.add(advert.getSite());
        pools.pipeInput(advert.getPoolId(), advert);
        return this;
    }

    RouterDriver submit(PodIntent intent) {
        intents.pipeInput(intent.getPod().getUid(), intent);
        return this;
    }

    /** Publishes pool usage to the routing side (advances the wall clock by the view interval). */
    RouterDriver settle() {
        return advance(config.viewInterval());
    }

    RouterDriver advance(Duration duration) {
        now = now.plus(duration);
        driver.advanceWallClockTime(duration);
        return this;
    }

    /** The executor of the pod's site reports a terminal phase for the attempt it was given. */
    RouterDriver finish(String uid, PodPhase phase) {
        JobCommand run = lastRun(uid);
        long seq = executorSequence.merge(uid, 1L, Long::sum);
        status.pipeInput(uid, PodStatusEvent.newBuilder()
                .setPod(run.getPod())
                .setPhase(phase)
                .setReason(phase == PodPhase.SUCCEEDED ? "Completed" : "Error")
                .setAttempt(run.getAttempt())
                .setSource(StatusSource.EXECUTOR)
                .setSequence(seq)
                .setSite(run.getSite())
                .setPoolId(run.getPoolId())
                .setContainers(List.of(ContainerStatus.newBuilder().setName("main").setState(ContainerState.TERMINATED)
                        .setExitCode(phase == PodPhase.SUCCEEDED ? 0 : 1).build()))
                .setObservedAt(now)
                .build());
        return this;
    }

    // ---- reading

    Instant now() {
        return now;
    }

    /** Every command written so far to {@code jobs.<site>} of the given sites. */
    List<JobCommand> commands(String... wanted) {
        readCommands();
        List<String> only = List.of(wanted);
        return commands.stream().filter(c -> only.contains(c.getSite())).toList();
    }

    private void readCommands() {
        for (String site : sites) {
            TestOutputTopic<String, JobCommand> out = jobsOut.computeIfAbsent(site, s -> driver.createOutputTopic(
                    topics.jobs(s).name(), new StringDeserializer(), topics.jobs(s).valueSerde().deserializer()));
            while (!out.isEmpty()) {
                TestRecord<String, JobCommand> record = out.readRecord();
                if (!record.key().equals(record.value().getPod().getUid())) {
                    throw new AssertionError("job command keyed " + record.key() + " for pod " + record.value().getPod());
                }
                commands.add(record.value());
            }
        }
    }

    List<JobCommand> runs(String... sites) {
        return commands(sites).stream().filter(c -> c.getType() == CommandType.RUN).toList();
    }

    List<JobCommand> cancels(String... sites) {
        return commands(sites).stream().filter(c -> c.getType() == CommandType.CANCEL).toList();
    }

    JobCommand lastRun(String uid) {
        readCommands();
        return commands.stream().filter(c -> c.getType() == CommandType.RUN && c.getPod().getUid().equals(uid))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no RUN for " + uid + " read yet"));
    }

    List<RoutingDecision> decisions() {
        while (!decisionsOut.isEmpty()) {
            decisions.add(decisionsOut.readValue());
        }
        return List.copyOf(decisions);
    }

    List<RoutingDecision> decisionsFor(String uid) {
        return decisions().stream().filter(d -> d.getPod().getUid().equals(uid)).toList();
    }

    List<PodStatusEvent> statuses() {
        while (!statusOut.isEmpty()) {
            statuses.add(statusOut.readValue());
        }
        return List.copyOf(statuses);
    }

    List<PodStatusEvent> statusesFor(String uid) {
        return statuses().stream().filter(s -> s.getPod().getUid().equals(uid)).toList();
    }

    @Override
    public void close() {
        driver.close();
    }
}
