package dev.ferry.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.devkit.junit.KafkaExtension;
import dev.ferry.devkit.junit.RegistryExtension;
import dev.ferry.devkit.junit.TestNames;
import dev.ferry.devkit.kafka.KafkaBroker;
import dev.ferry.devkit.registry.SchemaRegistry;
import dev.ferry.events.PodIntent;
import dev.ferry.fixtures.Events;
import dev.ferry.fixtures.Pods;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every event type through the real broker and the real registry, checking the bytes on the wire. */
@ExtendWith({KafkaExtension.class, RegistryExtension.class})
class EventRoundTripIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static KafkaBroker broker;
    private static SchemaRegistry registry;
    private static Topics topics;

    @BeforeAll
    static void createTopics(KafkaBroker kafka, SchemaRegistry schemaRegistry) {
        broker = kafka;
        registry = schemaRegistry;
        topics = new Topics(TopicsConfig.fromMap(Map.of(TopicsConfig.PREFIX, TestNames.unique("roundtrip") + ".",
                TopicsConfig.PARTITIONS, "1")), new EventSerdes(SerdeConfig.forRegistry(registry.baseUrl())));
        try (TopicAdmin admin = TopicAdmin.connect(broker.bootstrapServers(), Duration.ofSeconds(30), Map.of())) {
            admin.apply(topics.all(List.of("site-a")));
        }
    }

    static Stream<Arguments> everyEventType() {
        PodIntent intent = Pods.named("train").requesting("nvidia.com/gpu", "2").env("MODE", "fast")
                .annotation("slurm-job.vk.io/flags", "--partition=gpu").create();
        return Stream.of(
                Arguments.of("PodIntent", (TopicPick) t -> t.podIntents(), intent),
                Arguments.of("PoolAdvert", (TopicPick) t -> t.pools(), Events.pool("gpu-pool", "site-a")),
                Arguments.of("JobCommand", (TopicPick) t -> t.jobs("site-a"), Events.run(intent, "site-a", "gpu-pool")),
                Arguments.of("PodStatusEvent", (TopicPick) t -> t.podStatus(), Events.succeeded(intent, 3)),
                Arguments.of("RoutingDecision", (TopicPick) t -> t.decisions(), Events.assigned(intent, "gpu-pool")),
                Arguments.of("LogChunk", (TopicPick) t -> t.podLogs(), Events.log(intent, "hello\n")));
    }

    interface TopicPick {
        Topic<String, ?> pick(Topics topics);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyEventType")
    @SuppressWarnings("unchecked")
    void roundTripsThroughTheBrokerInTheConfluentWireFormat(String type, TopicPick pick, SpecificRecord event) throws Exception {
        Topic<String, SpecificRecord> topic = (Topic<String, SpecificRecord>) pick.pick(topics);

        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), "key-" + type, event)).get();
        }

        ConsumerRecord<byte[], byte[]> raw = readOne(topic.name());
        byte[] bytes = raw.value();
        assertThat(bytes[0]).as("magic byte").isZero();
        int schemaId = ByteBuffer.wrap(bytes, 1, 4).getInt();

        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                URI.create(registry.ccompatUrl() + "/schemas/ids/" + schemaId)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("registry resolves schema id %d: %s", schemaId, response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        Schema writerSchema = new Schema.Parser().parse(body.get("schema").asText());
        assertThat(writerSchema).isEqualTo(event.getSchema());
        assertThat(body.path("references")).as("registered whole, no references to chase").isEmpty();

        // any Confluent-format reader: skip magic byte and id, decode with the registry's schema, no Apicurio code involved
        SpecificDatumReader<SpecificRecord> plainAvro = new SpecificDatumReader<>(writerSchema, event.getSchema());
        SpecificRecord viaPlainAvro = plainAvro.read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
        assertThat(viaPlainAvro).isEqualTo(event);

        Object decoded = topic.valueSerde().deserializer().deserialize(topic.name(), raw.headers(), bytes);
        assertThat(decoded).isEqualTo(event);
        assertThat(decoded.getClass()).isEqualTo(event.getClass());
    }

    private static ConsumerRecord<byte[], byte[]> readOne(String topicName) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, TestNames.unique("roundtrip-reader"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topicName));
            List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                return !seen.isEmpty();
            });
            return seen.get(0);
        }
    }
}
