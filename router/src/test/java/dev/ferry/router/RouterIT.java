package dev.ferry.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.junit.KafkaExtension;
import dev.ferry.devkit.junit.RegistryExtension;
import dev.ferry.devkit.junit.TestNames;
import dev.ferry.devkit.kafka.KafkaBroker;
import dev.ferry.devkit.registry.SchemaRegistry;
import dev.ferry.events.CommandType;
import dev.ferry.events.DeadLetter;
import dev.ferry.events.DeadLetterReason;
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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The router on a real KRaft broker with the real schema registry and exactly-once. */
@ExtendWith({KafkaExtension.class, RegistryExtension.class})
class RouterIT {

    private KafkaBroker kafka;
    private Topics topics;
    private RouterApp router;
    private RouterTopics own;

    @BeforeEach
    void start(KafkaBroker broker, SchemaRegistry registry, @TempDir Path stateDir) {
        this.kafka = broker;
        topics = new Topics(TopicsConfig.fromMap(Map.of(TopicsConfig.PREFIX, TestNames.unique("router") + ".",
                TopicsConfig.PARTITIONS, "2")), new EventSerdes(SerdeConfig.forRegistry(registry.baseUrl())));
        try (TopicAdmin admin = TopicAdmin.connect(kafka.bootstrapServers(), Duration.ofSeconds(30), Map.of())) {
            admin.apply(topics.all(List.of("site-a")));
        }
        RouterConfig config = RouterConfig.fromMap(Map.of(
                RouterConfig.APPLICATION_ID, TestNames.unique("router"),
                RouterConfig.STATE_DIR, stateDir.toString()));
        own = RouterTopics.of(config, topics);
        router = RouterApp.start(config, topics, kafka.bootstrapServers(), Duration.ofSeconds(30));
    }

    @AfterEach
    void stop() {
        if (router != null) {
            router.close(Duration.ofSeconds(20));
        }
    }

    @Test
    void routesAPodAndDeadLettersWhatCannotBeDecoded() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(router::ready);
        assertThat(router.state()).isEqualTo(KafkaStreams.State.RUNNING);
        PoolAdvert pool = PoolAdverts.pool("pool-a").heartbeat(Instant.now(), 600).advert();
        PodIntent hello = Pods.named("hello").requesting("cpu", "1").create();

        try (Collector<JobCommand> jobs = new Collector<>(kafka.bootstrapServers(), List.of(topics.jobs("site-a").name()),
                topics.jobs("site-a").valueSerde().deserializer());
             Collector<RoutingDecision> decisions = new Collector<>(kafka.bootstrapServers(),
                     List.of(topics.decisions().name()), topics.decisions().valueSerde().deserializer());
             Collector<PodStatusEvent> statuses = new Collector<>(kafka.bootstrapServers(),
                     List.of(topics.podStatus().name()), topics.podStatus().valueSerde().deserializer());
             Collector<DeadLetter> deadLetters = new Collector<>(kafka.bootstrapServers(),
                     List.of(topics.deadLetters().name()), topics.deadLetters().valueSerde().deserializer());
             Collector<byte[]> views = new Collector<>(kafka.bootstrapServers(), List.of(own.poolView().name()),
                     new org.apache.kafka.common.serialization.ByteArrayDeserializer());
             KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                     new StringSerializer(), new ByteArraySerializer())) {
            send(topics.pools().name(), pool.getPoolId(), topics.pools().valueSerde().serializer()
                    .serialize(topics.pools().name(), pool), raw);
            // the pool reaches the routing side through the router's own pool-view topic
            await().atMost(Duration.ofSeconds(30)).until(() -> views.values().size() > 0);

            send(topics.podIntents().name(), "uid-garbage", "not avro at all".getBytes(), raw);
            send(topics.podIntents().name(), hello.getPod().getUid(), topics.podIntents().valueSerde().serializer()
                    .serialize(topics.podIntents().name(), hello), raw);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(jobs.values()).filteredOn(c -> c.getPod().getUid().equals(hello.getPod().getUid()))
                        .singleElement().satisfies(c -> {
                            assertThat(c.getType()).isEqualTo(CommandType.RUN);
                            assertThat(c.getPoolId()).isEqualTo("pool-a");
                            assertThat(c.getIntent()).isEqualTo(hello);
                        });
                assertThat(decisions.values()).filteredOn(d -> d.getPod().getUid().equals(hello.getPod().getUid()))
                        .extracting(RoutingDecision::getOutcome).containsExactly(DecisionOutcome.ASSIGNED);
                assertThat(deadLetters.values()).singleElement().satisfies(d -> {
                    assertThat(d.getReason()).isEqualTo(DeadLetterReason.NOT_AVRO);
                    assertThat(d.getSourceTopic()).isEqualTo(topics.podIntents().name());
                    assertThat(d.getPodUid()).isEqualTo("uid-garbage");
                });
                assertThat(statuses.values()).filteredOn(s -> s.getPod().getUid().equals("uid-garbage")).singleElement()
                        .satisfies(s -> {
                            assertThat(s.getPhase()).isEqualTo(PodPhase.FAILED);
                            assertThat(s.getSource()).isEqualTo(StatusSource.ROUTER);
                            assertThat(s.getReason()).isEqualTo("UndecodableIntent");
                            assertThat(s.getMessage()).contains("NOT_AVRO");
                        });
            });
        }
    }

    private static void send(String topic, String key, byte[] value, KafkaProducer<String, byte[]> producer)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }
}
