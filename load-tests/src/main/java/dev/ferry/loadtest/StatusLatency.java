package dev.ferry.loadtest;

import dev.ferry.devkit.kafka.EmbeddedKafkaBroker;
import dev.ferry.devkit.process.Directories;
import dev.ferry.devkit.registry.ApicurioRegistry;
import dev.ferry.events.JobCommand;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.executor.Executor;
import dev.ferry.executor.config.SiteConfig;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.Topic;
import dev.ferry.schema.TopicAdmin;
import dev.ferry.schema.Topics;
import dev.ferry.schema.TopicsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntFunction;
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

/**
 * State change → event, the same for every backend: the full executor ({@code ferry executor} wiring: a real
 * broker, the real registry, the runtime with its default 1 s poll interval) runs {@code n} pods; for each pod,
 * the time from the moment its container started (resp. ended), as the pod recorded it in milliseconds, to the
 * {@code PodStatusEvent} RUNNING (resp. SUCCEEDED) on the topic (the record's timestamp). This includes the
 * backend's own lag in noticing the change, the poll interval and the publish.
 */
public final class StatusLatency {

    /** When one pod's container started and ended, in epoch milliseconds, as the pod itself recorded it. */
    public record PodTimes(long started, long ended) {
    }

    private StatusLatency() {
    }

    /**
     * @param backendYaml the {@code backend:} section of the site.yaml
     * @param commands    the i-th RUN command for {@code site}
     * @param times       reads, after the run, what each pod (by UID) recorded; pods without a record are left out
     * @param what        what the pods run, for the report ({@code container} or {@code command})
     */
    public static void measure(String site, Map<String, String> env, int n, String backendYaml, IntFunction<JobCommand> commands,
                               Function<List<String>, Map<String, PodTimes>> times, String what) throws Exception {
        Path data = Files.createTempDirectory("ferry-bench-kafka-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(data.resolve("kafka"));
             ApicurioRegistry registry = ApicurioRegistry.builder().jvmOptions(List.of("-Xmx384m", "-XX:+UseSerialGC")).start()) {
            Topics topics = new Topics(TopicsConfig.fromMap(Map.of(TopicsConfig.PREFIX, "bench.", TopicsConfig.PARTITIONS, "3")),
                    new EventSerdes(SerdeConfig.forRegistry(registry.baseUrl())));
            try (TopicAdmin admin = TopicAdmin.connect(broker.bootstrapServers(), Duration.ofSeconds(30), Map.of())) {
                admin.apply(topics.all(List.of(site)));
            }
            String yaml = "site: " + site + "\nkafka:\n  bootstrapServers: " + broker.bootstrapServers() + "\nregistry:\n  url: "
                    + registry.baseUrl() + "\ntopics:\n  prefix: bench.\n  partitions: '3'\n" + backendYaml;
            Map<String, Long> running = new ConcurrentHashMap<>();
            Map<String, Long> succeeded = new ConcurrentHashMap<>();
            Thread reader = new Thread(() -> readStatus(broker.bootstrapServers(), topics.podStatus(), running, succeeded, n));
            reader.setDaemon(true);
            reader.start();
            List<String> uids = new ArrayList<>();
            try (Executor executor = Executor.create(SiteConfig.parse(yaml), null, env, Clock.systemUTC()).start();
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                         broker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
                executor.runtime().awaitStarted(Duration.ofMinutes(2));
                Topic<String, JobCommand> jobs = topics.jobs(site);
                for (int i = 0; i < n; i++) {
                    JobCommand command = commands.apply(i);
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
            Map<String, PodTimes> recorded = times.apply(uids);
            Histogram toRunning = new Histogram(3);
            Histogram toSucceeded = new Histogram(3);
            for (String uid : uids) {
                PodTimes t = recorded.get(uid);
                if (t == null) {
                    continue;
                }
                if (running.containsKey(uid)) {
                    toRunning.recordValue(Math.max(0, running.get(uid) - t.started()));
                }
                if (succeeded.containsKey(uid)) {
                    toSucceeded.recordValue(Math.max(0, succeeded.get(uid) - t.ended()));
                }
            }
            System.out.printf(Locale.ROOT, "%nstate change -> PodStatusEvent on the topic (%d pods, poll interval 1 s):%n", n);
            Bench.print(what + " started -> RUNNING", toRunning);
            Bench.print(what + " ended -> SUCCEEDED", toSucceeded);
        } finally {
            Directories.deleteRecursively(data);
        }
    }

    /** The record timestamp of each pod's first RUNNING and first SUCCEEDED event, until {@code n} pods succeeded. */
    private static void readStatus(String bootstrap, Topic<String, PodStatusEvent> topic, Map<String, Long> running,
                                   Map<String, Long> succeeded, int n) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-reader", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic.name()));
            while (succeeded.size() < n) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    PodStatusEvent e = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
                    String uid = e.getPod().getUid();
                    if (e.getPhase() == PodPhase.RUNNING) {
                        running.putIfAbsent(uid, r.timestamp());
                    } else if (e.getPhase() == PodPhase.SUCCEEDED) {
                        succeeded.putIfAbsent(uid, r.timestamp());
                    }
                }
            }
        }
    }
}
