package dev.ferry.executor.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.junit.KafkaExtension;
import dev.ferry.devkit.junit.RegistryExtension;
import dev.ferry.devkit.junit.TestNames;
import dev.ferry.devkit.kafka.KafkaBroker;
import dev.ferry.devkit.registry.SchemaRegistry;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.executor.ExecutorRuntime;
import dev.ferry.executor.config.ExecutorSettings;
import dev.ferry.executor.config.SiteConfig;
import dev.ferry.executor.model.Unsealer;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.testing.FakeBackend;
import dev.ferry.fixtures.Events;
import dev.ferry.fixtures.Pods;
import dev.ferry.schema.DeadLetterPublisher;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.TopicAdmin;
import dev.ferry.schema.Topics;
import dev.ferry.schema.TopicsConfig;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The runtime's Kafka adapters on a real broker and registry, with an in-JVM backend. */
@ExtendWith({KafkaExtension.class, RegistryExtension.class})
class KafkaAdaptersIT {

    @Test
    void commandsInStatusOutGarbageToDeadLettersAndARestartReadsItsHistoryBack(KafkaBroker broker, SchemaRegistry registry) throws Exception {
        String site = TestNames.unique("site");
        Topics topics = new Topics(TopicsConfig.fromMap(Map.of(TopicsConfig.PREFIX, TestNames.unique("core") + ".", TopicsConfig.PARTITIONS, "2")),
                new EventSerdes(SerdeConfig.forRegistry(registry.baseUrl())));
        String bootstrap = broker.bootstrapServers();
        try (TopicAdmin admin = TopicAdmin.connect(bootstrap, Duration.ofSeconds(30), Map.of())) {
            admin.apply(topics.all(List.of(site)));
        }
        PodIntent pod = Pods.named("a").create();
        String uid = pod.getPod().getUid();
        var jobs = topics.jobs(site);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(jobs.name(), "garbage", "not avro".getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(jobs.name(), uid, jobs.valueSerde().serializer()
                    .serialize(jobs.name(), Events.run(pod, site, site + "/debug")))).get();
        }
        FakeBackend backend = new FakeBackend();
        KafkaStatusHistory history = new KafkaStatusHistory(bootstrap, topics.podStatus(), Map.of(), Duration.ofSeconds(30));
        ExecutorSettings settings = ExecutorSettings.defaults().withPollInterval(Duration.ofMillis(200));

        Run first = new Run(bootstrap, topics, site, backend, history, settings);
        await().atMost(Duration.ofSeconds(60)).until(() -> backend.submitted().size() == 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> history.lastBySite(site, Instant.EPOCH).containsKey(uid));
        backend.set("100", JobStatus.JobPhase.RUNNING, "Running", null);
        await().atMost(Duration.ofSeconds(20)).until(() -> history.lastBySite(site, Instant.EPOCH).get(uid).getPhase() == PodPhase.RUNNING);
        first.close();
        assertThat(first.deadLetters()).isEqualTo(1);
        long runningSequence = history.lastBySite(site, Instant.EPOCH).get(uid).getSequence();

        backend.set("100", JobStatus.JobPhase.SUCCEEDED, "Completed", 0);
        Run second = new Run(bootstrap, topics, site, backend, history, settings);
        await().atMost(Duration.ofSeconds(30)).until(() -> history.lastBySite(site, Instant.EPOCH).get(uid).getPhase() == PodPhase.SUCCEEDED);
        second.close();

        PodStatusEvent last = history.lastBySite(site, Instant.EPOCH).get(uid);
        assertThat(last.getSequence()).isGreaterThan(runningSequence);
        assertThat(backend.submitted()).hasSize(1);
        assertThat(history.lastBySite("another-site", Instant.EPOCH)).isEmpty();
    }

    /** One executor incarnation on the real broker. */
    static final class Run implements AutoCloseable {
        final DeadLetterPublisher deadLetters;
        final KafkaJobFeed feed;
        final KafkaEventSink sink;
        final ExecutorRuntime runtime;
        final Thread thread;

        Run(String bootstrap, Topics topics, String site, FakeBackend backend, KafkaStatusHistory history, ExecutorSettings settings) {
            deadLetters = DeadLetterPublisher.create(bootstrap, topics, Map.of());
            feed = new KafkaJobFeed(bootstrap, "ferry-executor-" + site, topics.jobs(site), deadLetters, Map.of());
            sink = new KafkaEventSink(bootstrap, topics, "test", Map.of());
            runtime = new ExecutorRuntime(site, "exec", settings, new SiteConfig.PoolSettings(null, null, null), backend, feed, sink, history,
                    new Unsealer(Map.of()), Clock.systemUTC());
            thread = new Thread(runtime);
            thread.start();
        }

        long deadLetters() {
            return feed.deadLettered();
        }

        @Override
        public void close() throws Exception {
            runtime.stop();
            thread.join(30_000);
            assertThat(runtime.failure()).isEmpty();
            feed.close();
            sink.close();
            deadLetters.close();
        }
    }
}
