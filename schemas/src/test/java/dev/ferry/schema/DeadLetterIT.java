package dev.ferry.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.Ports;
import dev.ferry.devkit.junit.KafkaExtension;
import dev.ferry.devkit.junit.RegistryExtension;
import dev.ferry.devkit.junit.TestNames;
import dev.ferry.devkit.kafka.KafkaBroker;
import dev.ferry.devkit.registry.SchemaRegistry;
import dev.ferry.events.DeadLetter;
import dev.ferry.events.DeadLetterReason;
import dev.ferry.events.PodIntent;
import dev.ferry.fixtures.Pods;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Records that cannot be decoded go to dead-letters with where they came from and why; good records still flow. */
@ExtendWith({KafkaExtension.class, RegistryExtension.class})
class DeadLetterIT {
    private KafkaBroker broker;
    private SchemaRegistry registry;
    private Topics topics;

    @BeforeEach
    void setUp(KafkaBroker kafka, SchemaRegistry schemaRegistry) {
        broker = kafka;
        registry = schemaRegistry;
        topics = topicsWithRegistry(TestNames.unique("dlq") + ".", registry.baseUrl());
        try (TopicAdmin admin = TopicAdmin.connect(broker.bootstrapServers(), Duration.ofSeconds(30), Map.of())) {
            admin.apply(topics.all(List.of()));
        }
    }

    @Test
    void notAvroAndUnknownSchemaIdsAreDeadLetteredAndTheGoodRecordsStillArrive() throws Exception {
        PodIntent first = Pods.named("first").create();
        PodIntent last = Pods.named("last").create();
        byte[] unknownId = ByteBuffer.allocate(9).put((byte) 0).putInt(987_654).putInt(42).array();
        String topic = topics.podIntents().name();

        produce(topic, "uid-first", topics.podIntents().valueSerde().serializer().serialize(topic, first));
        produce(topic, "uid-garbage", "{\"kind\":\"Pod\"}".getBytes(StandardCharsets.UTF_8));
        produce(topic, "uid-unknown", unknownId);
        produce(topic, "uid-last", topics.podIntents().valueSerde().serializer().serialize(topic, last));

        List<PodIntent> delivered = new ArrayList<>();
        try (DeadLetterPublisher publisher = DeadLetterPublisher.create(broker.bootstrapServers(), topics, Map.of());
             TopicReader<String, PodIntent> reader = TopicReader.subscribe(broker.bootstrapServers(),
                     TestNames.unique("reader"), topics.podIntents(), publisher, "dead-letter-it", Map.of())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                reader.poll(Duration.ofMillis(200)).forEach(r -> delivered.add(r.value()));
                reader.commitSync();
                return delivered.size() == 2 && reader.deadLettered() == 2;
            });
        }

        assertThat(delivered).containsExactly(first, last);
        List<ConsumerRecord<String, DeadLetter>> letters = readDeadLetters(2);
        assertThat(letters).extracting(ConsumerRecord::key).containsExactly("uid-garbage", "uid-unknown");
        DeadLetter garbage = letters.get(0).value();
        assertThat(garbage.getSourceTopic()).isEqualTo(topic);
        assertThat(garbage.getPartition()).isZero();
        assertThat(garbage.getOffset()).isEqualTo(1);
        assertThat(garbage.getReason()).isEqualTo(DeadLetterReason.NOT_AVRO);
        assertThat(garbage.getPodUid()).isEqualTo("uid-garbage");
        assertThat(StandardCharsets.UTF_8.decode(garbage.getValue()).toString()).isEqualTo("{\"kind\":\"Pod\"}");
        DeadLetter unknown = letters.get(1).value();
        assertThat(unknown.getOffset()).isEqualTo(2);
        assertThat(unknown.getReason()).isEqualTo(DeadLetterReason.UNKNOWN_SCHEMA);
        assertThat(unknown.getError()).contains("987654");
        assertThat(new String(letters.get(1).headers().lastHeader(DeadLetterPublisher.HEADER_SOURCE_TOPIC).value(),
                StandardCharsets.UTF_8)).isEqualTo(topic);
    }

    @Test
    void aRecordWhoseRegistryIsDownIsDeadLetteredNotSwallowed() throws Exception {
        String topic = topics.podIntents().name();
        PodIntent intent = Pods.named("while-registry-down").create();
        produce(topic, "uid-down", topics.podIntents().valueSerde().serializer().serialize(topic, intent));

        // a reader whose registry address answers nothing: it cannot learn the schema behind the id
        Topics unreachable = topicsWithRegistry(topics.config().prefix(), "http://127.0.0.1:" + Ports.freePort());
        try (DeadLetterPublisher publisher = DeadLetterPublisher.create(broker.bootstrapServers(), unreachable, Map.of());
             TopicReader<String, PodIntent> reader = TopicReader.subscribe(broker.bootstrapServers(),
                     TestNames.unique("reader"), unreachable.podIntents(), publisher, "dead-letter-it", Map.of())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                assertThat(reader.poll(Duration.ofMillis(200))).isEmpty();
                return reader.deadLettered() == 1;
            });
        }

        DeadLetter letter = readDeadLetters(1).get(0).value();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.REGISTRY_UNAVAILABLE);
        assertThat(letter.getSourceTopic()).isEqualTo(topic);
        assertThat(letter.getOffset()).isZero();
        assertThat(letter.getError()).contains("schema registry unreachable");
        // the original bytes are kept, so the record can be replayed once the registry is back
        byte[] original = new byte[letter.getValue().remaining()];
        letter.getValue().get(original);
        assertThat(topics.podIntents().valueSerde().deserializer().deserialize(topic, original)).isEqualTo(intent);
    }

    private static Topics topicsWithRegistry(String prefix, String registryUrl) {
        return new Topics(TopicsConfig.fromMap(Map.of(TopicsConfig.PREFIX, prefix, TopicsConfig.PARTITIONS, "1")),
                new EventSerdes(SerdeConfig.forRegistry(registryUrl)));
    }

    private void produce(String topic, String key, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
        }
    }

    private List<ConsumerRecord<String, DeadLetter>> readDeadLetters(int expected) {
        try (KafkaConsumer<String, DeadLetter> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, TestNames.unique("dlq-reader"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                topics.deadLetters().valueSerde().deserializer())) {
            consumer.subscribe(List.of(topics.deadLetters().name()));
            List<ConsumerRecord<String, DeadLetter>> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                return seen.size() >= expected;
            });
            return seen;
        }
    }
}
